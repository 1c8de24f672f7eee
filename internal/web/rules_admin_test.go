package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// ruleForm is a valid form for a monthly 主题党日 rule of branches in the subtree of scope.
func ruleForm(scope string, edits ...string) url.Values {
	v := url.Values{"type": {"theme_day"}, "kinds": {"党支部"}, "root_org_id": {scope}, "frequency": {"month"},
		"min_count": {"2"}, "effective_from": {"2026-01-01"}, "source": {"局党组关于加强主题党日的通知"}, "note": {""}}
	for i := 0; i+1 < len(edits); i += 2 {
		if edits[i+1] == "-" {
			v.Del(edits[i])
		} else {
			v.Set(edits[i], edits[i+1])
		}
	}
	return v
}

// rulesOf returns the rules of type typ scoped to organization root.
func rulesOf(t *testing.T, db *store.DB, typ party.EventTypeCode, root int64) []*party.Rule {
	t.Helper()
	all, err := db.Rules(context.Background())
	storetest.MustDo(t, "rules", err)
	var out []*party.Rule
	for _, r := range all {
		if r.Type == typ && r.RootOrgID == root {
			out = append(out, r)
		}
	}
	return out
}

func TestRuleForms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		_, otherBranch := otherBureau(t, db)
		topAdmin := fx.account(t, "topadmin", party.Grant{Role: party.RolePartyAdmin, OrgID: fx.top.ID})
		branch := strconv.FormatInt(fx.branch.ID, 10)
		other := strconv.FormatInt(otherBranch.ID, 10)
		fx.run(t, []scenario{
			{name: "NewFormForTheInstallation", path: "/admin/rules/new", status: 200,
				want: []string{"全部组织（按组织类别）", "另一局机关党支部及下级组织", `name="kinds" value="党支部"`, "主题党日"}},
			{name: "NewFormForTheBureau", path: "/admin/rules/new", cookie: topAdmin, status: 200,
				want: []string{"机关党支部及下级组织"}, notWant: []string{"全部组织（按组织类别）", "另一局"}},
			{name: "CountZero", method: "POST", path: "/admin/rules", form: ruleForm(branch, "min_count", "0"), status: 422,
				want: []string{"最少次数应为1至100", "f-min_count-error"}},
			{name: "CountNegative", method: "POST", path: "/admin/rules", form: ruleForm(branch, "min_count", "-3"), status: 422,
				want: []string{"最少次数应为1至100"}},
			{name: "CountNotANumber", method: "POST", path: "/admin/rules", form: ruleForm(branch, "min_count", "两次"), status: 422,
				want: []string{"每期至少次数应为1至100的整数"}},
			{name: "EndBeforeStart", method: "POST", path: "/admin/rules", form: ruleForm(branch, "effective_to", "2025-12-31"), status: 422,
				want: []string{"失效日期不能早于生效日期", "f-effective_to-error"}},
			{name: "BadStartDate", method: "POST", path: "/admin/rules", form: ruleForm(branch, "effective_from", "2026-02-30"), status: 422,
				want: []string{"不是存在的日期", "f-effective_from-error"}},
			{name: "NoKinds", method: "POST", path: "/admin/rules", form: ruleForm(branch, "kinds", "-"), status: 422,
				want: []string{"请选择适用的组织类别", `id="f-kinds-error"`}},
			{name: "UnknownKind", method: "POST", path: "/admin/rules", form: ruleForm(branch, "kinds", "党委员会"), status: 422,
				want: []string{"组织类别“党委员会”无效"}},
			{name: "UnknownEventType", method: "POST", path: "/admin/rules", form: ruleForm(branch, "type", "bogus"), status: 422,
				want: []string{"活动类型不存在", "f-type-error"}},
			{name: "UnknownFrequency", method: "POST", path: "/admin/rules", form: ruleForm(branch, "frequency", "daily"), status: 422,
				want: []string{"频次应为每月、每季度、每半年或每年"}},
			{name: "NoScope", method: "POST", path: "/admin/rules", form: ruleForm(""), status: 422,
				want: []string{"请选择适用范围", "f-root_org_id-error"}},
			{name: "SourceMissing", method: "POST", path: "/admin/rules", form: ruleForm(branch, "source", ""), status: 422,
				want: []string{"f-source-error"}},
			{name: "SourceTooLong", method: "POST", path: "/admin/rules", form: ruleForm(branch, "source", strings.Repeat("依", 501)), status: 422,
				want: []string{"f-source-error"}},
			{name: "NoteTooLong", method: "POST", path: "/admin/rules", form: ruleForm(branch, "note", strings.Repeat("注", party.MaxTextLen+1)),
				status: 422, want: []string{"f-note-error"}},
			{name: "KindWideBySubtreeAdminRefused", method: "POST", path: "/admin/rules", cookie: topAdmin, form: ruleForm("0"),
				status: http.StatusForbidden, want: []string{"只有负责全系统的党建管理员可以设置或修改适用于全部组织的规则"}},
			{name: "OtherBureauBySubtreeAdminRefused", method: "POST", path: "/admin/rules", cookie: topAdmin, form: ruleForm(other),
				status: 422, want: []string{"所选组织不存在"}},
			{name: "SubtreeRuleByBureauAdmin", method: "POST", path: "/admin/rules", cookie: topAdmin,
				form: ruleForm(branch, "source", "<b>局党组</b>的通知"), status: 303, location: "/admin/rules?done=created"},
			{name: "OverlappingRuleRefused", method: "POST", path: "/admin/rules", form: ruleForm(branch, "effective_from", "2026-06-01"),
				status: http.StatusConflict, want: []string{"适用范围和时间重叠"}},
			{name: "OtherBureauRuleByInstallationAdmin", method: "POST", path: "/admin/rules", form: ruleForm(other, "source", "外局通知"),
				status: 303},
			{name: "ListEscapesSource", path: "/admin/rules", cookie: topAdmin, status: 200,
				want:    []string{"&lt;b&gt;局党组&lt;/b&gt;的通知", "机关党支部及下级组织中的党支部", "每月至少2次", "无权修改"},
				notWant: []string{"<b>局党组", "外局通知", "另一局"}},
			{name: "InstallationAdminSeesAll", path: "/admin/rules", status: 200, want: []string{"外局通知", "另一局机关党支部"},
				notWant: []string{"无权修改"}},
		})
		mine := rulesOf(t, db, party.TypeThemeDay, fx.branch.ID)
		theirs := rulesOf(t, db, party.TypeThemeDay, otherBranch.ID)
		if len(mine) != 1 || len(theirs) != 1 || mine[0].MinCount != 2 || mine[0].Source != "<b>局党组</b>的通知" {
			t.Fatalf("rules %+v %+v", mine, theirs)
		}
		var kindWide *party.Rule
		for _, r := range rulesOf(t, db, party.TypeThemeDay, 0) {
			kindWide = r
		}
		id := strconv.FormatInt(mine[0].ID, 10)
		edit := "/admin/rules/" + id + "/edit"
		fx.run(t, []scenario{
			{name: "EditForm", path: edit, cookie: topAdmin, status: 200, want: []string{"调整要求", "修改依据和备注", "设置失效日期", `value="2"`}},
			{name: "KindWideEditRefused", path: "/admin/rules/" + strconv.FormatInt(kindWide.ID, 10) + "/edit", cookie: topAdmin,
				status: http.StatusForbidden, want: []string{"只有负责全系统的党建管理员可以修改适用于全部组织的规则"}},
			{name: "OtherBureauRuleIsNotFound", path: "/admin/rules/" + strconv.FormatInt(theirs[0].ID, 10) + "/edit", cookie: topAdmin,
				status: http.StatusNotFound},
			{name: "OtherBureauRuleEndIsNotFound", method: "POST", path: "/admin/rules/" + strconv.FormatInt(theirs[0].ID, 10) + "/end",
				cookie: topAdmin, form: url.Values{"effective_to": {"2026-12-31"}}, status: http.StatusNotFound},
			{name: "UnknownRule", path: "/admin/rules/999999/edit", status: http.StatusNotFound},
			{name: "ReplaceBeforeStart", method: "POST", path: edit, cookie: topAdmin,
				form:   url.Values{"op": {"replace"}, "frequency": {"quarter"}, "min_count": {"1"}, "effective_from": {"2025-07-01"}, "source": {"新通知"}},
				status: 422, want: []string{"新规则的生效日期应晚于原规则的生效日期"}},
			{name: "ReplaceCountZero", method: "POST", path: edit, cookie: topAdmin,
				form:   url.Values{"op": {"replace"}, "frequency": {"quarter"}, "min_count": {"0"}, "effective_from": {"2026-07-01"}, "source": {"新通知"}},
				status: 422, want: []string{"最少次数应为1至100"}},
			{name: "Replace", method: "POST", path: edit, cookie: topAdmin,
				form:   url.Values{"op": {"replace"}, "frequency": {"quarter"}, "min_count": {"1"}, "effective_from": {"2026-07-01"}, "source": {"新通知"}},
				status: 303, location: "/admin/rules?done=replaced"},
			{name: "TextMissingSource", method: "POST", path: edit, cookie: topAdmin, form: url.Values{"op": {"text"}, "text_source": {""}},
				status: 422, want: []string{"f-text_source-error"}},
			{name: "Text", method: "POST", path: edit, cookie: topAdmin,
				form: url.Values{"op": {"text"}, "text_source": {"局党组2026年1号通知"}, "text_note": {"已被季度要求取代"}}, status: 303},
			{name: "UnknownOp", method: "POST", path: edit, cookie: topAdmin, form: url.Values{"op": {"drop"}}, status: 422,
				want: []string{"请使用页面上的表单提交修改"}},
		})
		rules := rulesOf(t, db, party.TypeThemeDay, fx.branch.ID)
		if len(rules) != 2 {
			t.Fatalf("%d rules after the replacement, want 2", len(rules))
		}
		old, next := rules[0], rules[1]
		if old.EffectiveTo != day("2026-06-30") || old.Source != "局党组2026年1号通知" || old.Note != "已被季度要求取代" ||
			next.EffectiveFrom != day("2026-07-01") || next.Frequency != party.Quarterly || next.MinCount != 1 ||
			next.Kinds[0] != party.KindBranch || !next.EffectiveTo.IsZero() {
			t.Fatalf("old %+v\nnext %+v", old, next)
		}
		end := "/admin/rules/" + strconv.FormatInt(next.ID, 10) + "/end"
		fx.run(t, []scenario{
			{name: "EndBeforeStart", method: "POST", path: end, cookie: topAdmin, form: url.Values{"effective_to": {"2026-01-31"}},
				status: 422, want: []string{"失效日期不能早于生效日期", "f-effective_to-error"}},
			{name: "EndMissing", method: "POST", path: end, cookie: topAdmin, form: url.Values{"effective_to": {""}},
				status: 422, want: []string{"请填写失效日期"}},
			{name: "EndBadDate", method: "POST", path: end, cookie: topAdmin, form: url.Values{"effective_to": {"31/12/2026"}},
				status: 422, want: []string{"不是有效日期"}},
			{name: "End", method: "POST", path: end, cookie: topAdmin, form: url.Values{"effective_to": {"2026-09-30"}},
				status: 303, location: "/admin/rules?done=ended"},
			{name: "PastRulesListed", path: "/admin/rules?done=ended", cookie: topAdmin, status: 200,
				want: []string{"已设置规则的失效日期", "已失效的规则", "2026年6月30日", "2026年9月30日", "每季度至少1次"}},
		})
		got, err := db.FindRule(context.Background(), next.ID)
		storetest.MustDo(t, "find", err)
		if got.EffectiveTo != day("2026-09-30") {
			t.Fatalf("ended %+v", got)
		}
	})
}

func TestEventTypeCatalogue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		topAdmin := fx.account(t, "topadmin", party.Grant{Role: party.RolePartyAdmin, OrgID: fx.top.ID})
		add := func(code, name string) url.Values {
			return url.Values{"code": {code}, "name": {name}, "category": {"学习"}, "audience": {"members"}, "study": {"1"}, "sort": {"145"}}
		}
		fx.run(t, []scenario{
			{name: "Catalogue", path: "/admin/event-types", status: 200, want: []string{"主题党日", "theme_day", "添加活动类型"}},
			// A bureau's administrator reads the shared catalogue and may not change it.
			{name: "CatalogueForABureau", path: "/admin/event-types", cookie: topAdmin, status: 200,
				want: []string{"主题党日", "由负责全系统的党建管理员维护"}, notWant: []string{"添加活动类型", "停用</button>"}},
			{name: "BureauMayNotAdd", method: "POST", path: "/admin/event-types", cookie: topAdmin,
				form: add("bureau_study", "局机关学习"), status: 403},
			{name: "BureauMayNotWithdraw", method: "POST", path: "/admin/event-types/theme_day/active", cookie: topAdmin,
				form: url.Values{"active": {"0"}}, status: 403},
			{name: "BadCode", method: "POST", path: "/admin/event-types", form: add("Youth Study", "青年理论学习"), status: 422,
				want: []string{"活动类型编码只能包含小写字母、数字和下划线", "f-code-error"}},
			{name: "MissingName", method: "POST", path: "/admin/event-types", form: add("youth_study", ""), status: 422,
				want: []string{"f-name-error"}},
			{name: "NameTooLong", method: "POST", path: "/admin/event-types", form: add("youth_study", strings.Repeat("学", 41)), status: 422,
				want: []string{"f-name-error"}},
			{name: "BadAudience", method: "POST", path: "/admin/event-types", form: func() url.Values {
				v := add("youth_study", "青年理论学习")
				v.Set("audience", "everyone")
				return v
			}(), status: 422, want: []string{"应到人员范围无效"}},
			{name: "BadSort", method: "POST", path: "/admin/event-types", form: func() url.Values {
				v := add("youth_study", "青年理论学习")
				v.Set("sort", "first")
				return v
			}(), status: 422, want: []string{"排序号应为0至999999的整数"}},
			{name: "DuplicateName", method: "POST", path: "/admin/event-types", form: add("theme_day_2", "主题党日"), status: 409,
				want: []string{"已有同名或同编码的活动类型"}},
			{name: "Added", method: "POST", path: "/admin/event-types", form: add("youth_study", "<i>青年</i>理论学习"), status: 303,
				location: "/admin/event-types?done=type-created"},
			{name: "AddedEscaped", path: "/admin/event-types", status: 200, want: []string{"&lt;i&gt;青年&lt;/i&gt;理论学习", "youth_study"},
				notWant: []string{"<i>青年"}},
			{name: "UnknownCodeToggle", method: "POST", path: "/admin/event-types/bogus/active", form: url.Values{"active": {"0"}},
				status: 404},
			{name: "ToggleWithoutValue", method: "POST", path: "/admin/event-types/youth_study/active", form: url.Values{}, status: 422},
			{name: "Withdraw", method: "POST", path: "/admin/event-types/youth_study/active", form: url.Values{"active": {"0"}},
				status: 303, location: "/admin/event-types?done=type-off"},
			{name: "Withdrawn", path: "/admin/event-types", status: 200, want: []string{"已停用"}},
			{name: "WithdrawnNotOfferedForRules", path: "/admin/rules/new", status: 200, notWant: []string{"&lt;i&gt;青年"}},
		})
		typ, err := db.EventType(context.Background(), "youth_study")
		storetest.MustDo(t, "type", err)
		if typ.Active || !typ.Study || typ.Category != party.CategoryStudy || typ.Sort != 145 {
			t.Fatalf("type %+v", typ)
		}
		fx.run(t, []scenario{
			{name: "Offer", method: "POST", path: "/admin/event-types/youth_study/active", form: url.Values{"active": {"1"}}, status: 303},
			{name: "OfferedForRules", path: "/admin/rules/new", status: 200, want: []string{"&lt;i&gt;青年&lt;/i&gt;理论学习"}},
		})
	})
}

// The organization kinds of a type: shown in the catalogue, set when a type is added and
// changed afterwards; the new-event and plan forms offer a type only to the kinds holding it.
func TestEventTypeKindsPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		topAdmin := fx.account(t, "topadmin", party.Grant{Role: party.RolePartyAdmin, OrgID: fx.top.ID})
		newEvent := func(o *party.Org) string { return path("/orgs/%d/events/new?status=planned", o.ID) }
		newPlan := func(o *party.Org) string { return path("/orgs/%d/plans/new", o.ID) }
		fx.run(t, []scenario{
			{name: "CatalogueShowsKinds", path: "/admin/event-types", status: 200,
				want: []string{"<td>党总支、党支部、临时党支部</td>", "<td>党小组</td>", "<td>各类组织</td>", `action="/admin/event-types/group_meeting/kinds"`}},
			{name: "GroupFormLacksCommittee", path: newEvent(fx.group), status: 200, want: []string{`value="group_meeting"`},
				notWant: []string{`value="branch_committee"`, `value="leading_group"`}},
			{name: "BranchFormLacksGroupMeeting", path: newEvent(fx.branch), status: 200, want: []string{`value="branch_committee"`},
				notWant: []string{`value="group_meeting"`}},
			{name: "BranchPlanFormLacksGroupMeeting", path: newPlan(fx.branch), status: 200, want: []string{`value="theme_day"`},
				notWant: []string{`value="group_meeting"`}},
			{name: "ErrPostedAnyway", method: "POST", path: path("/orgs/%d/events", fx.group.ID), status: 422,
				form: url.Values{"status": {"planned"}, "type": {"branch_committee"}, "title": {"支委会"}, "on": {"2026-12-10"},
					"start_at": {"14:30"}, "end_at": {"16:00"}},
				want: []string{"活动类型不存在、已停用或不适用于本组织"}},
			{name: "BureauMayNotSetKinds", method: "POST", path: "/admin/event-types/group_meeting/kinds", cookie: topAdmin,
				form: url.Values{"org_kinds": {"党支部"}}, status: 403},
			{name: "ErrUnknownType", method: "POST", path: "/admin/event-types/bogus/kinds", form: url.Values{}, status: 404},
			{name: "ErrUnknownKind", method: "POST", path: "/admin/event-types/group_meeting/kinds",
				form: url.Values{"org_kinds": {"居委会"}}, status: 422, want: []string{"组织类别“居委会”无效"}},
			{name: "Widen", method: "POST", path: "/admin/event-types/group_meeting/kinds",
				form: url.Values{"org_kinds": {"党小组", "党支部"}}, status: 303, location: "/admin/event-types?done=type-kinds"},
			{name: "Widened", path: "/admin/event-types?done=type-kinds", status: 200,
				want: []string{"<td>党支部、党小组</td>", "已修改活动类型的适用组织"}},
			{name: "BranchFormOffersGroupMeeting", path: newEvent(fx.branch), status: 200, want: []string{`value="group_meeting"`}},
			{name: "ErrAddWithUnknownKind", method: "POST", path: "/admin/event-types", status: 422,
				form: url.Values{"code": {"group_study"}, "name": {"党小组学习"}, "category": {"学习"}, "audience": {"members"},
					"org_kinds": {"居委会"}},
				want: []string{`<a href="#f-org_kinds">适用组织：组织类别“居委会”无效</a>`, `id="f-org_kinds-error"`}},
			{name: "AddWithKinds", method: "POST", path: "/admin/event-types", status: 303,
				form: url.Values{"code": {"group_study"}, "name": {"党小组学习"}, "category": {"学习"}, "audience": {"members"},
					"org_kinds": {"党小组"}}},
		})
		typ, err := db.EventType(context.Background(), "group_study")
		storetest.MustDo(t, "type", err)
		if len(typ.OrgKinds) != 1 || typ.OrgKinds[0] != party.KindGroup {
			t.Fatalf("added type kinds: %v", typ.OrgKinds)
		}
	})
}
