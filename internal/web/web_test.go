package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestTreeAndOrgPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		zhang, li := fx.members[0], fx.members[1]
		storetest.MustDo(t, "add officer", db.AddPosition(context.Background(),
			&party.Position{MemberID: li.ID, OrgID: fx.branch.ID, Title: "书记", StartOn: day("2024-01-05")}))
		fx.run(t, []scenario{
			{name: "RootRedirectsToReminders", path: "/", status: http.StatusSeeOther, location: "/reminders"},
			{name: "TreeNestsAllOrgsWithCounts", path: "/orgs", status: http.StatusOK, want: []string{
				"中共测试局党组", "直属单位党总支", "机关党支部", "第一党小组", "省运会临时党支部", "临时党支部", "T-JG",
				"5名党员", "3名党员", "2名党员", "1名党员", `lang="zh-CN"`}},
			{name: "OrgPageShowsFactsAndMembers", path: path("/orgs/%d", fx.top.ID), status: http.StatusOK, want: []string{
				`aria-label="当前位置"`, "2001年7月1日", "共 <strong>5</strong> 名党员", "阿强", "赵六",
				zhang.IDNumber.Masked(), "机关党支部"}},
			{name: "BreadcrumbFollowsAncestors", path: path("/orgs/%d", fx.group.ID), status: http.StatusOK, want: []string{
				path(`<a href="/orgs/%d">中共测试局党组</a>`, fx.top.ID), path(`<a href="/orgs/%d">机关党支部</a>`, fx.branch.ID),
				`<span aria-current="page">第一党小组</span>`, "共 <strong>1</strong> 名党员"}},
			{name: "OfficersOnBranchPage", path: path("/orgs/%d", fx.branch.ID), status: http.StatusOK, want: []string{
				"班子成员", "书记", "2024年1月5日", "添加党员"}},
			{name: "SearchByInitials", path: path("/orgs/%d?q=zs", fx.top.ID), status: http.StatusOK,
				want: []string{"张三", "共 <strong>1</strong> 名符合条件的党员"}, notWant: []string{"李四"}},
			{name: "SearchByNamePart", path: path("/orgs/%d?q=%s", fx.top.ID, url.QueryEscape("四")), status: http.StatusOK,
				want: []string{"李四"}, notWant: []string{"张三"}},
			{name: "SearchByFullIDNumberDoesNotRepeatIt", path: path("/orgs/%d?q=%s", fx.top.ID, string(li.IDNumber)),
				status: http.StatusOK, want: []string{"李四", "已按身份证号", li.IDNumber.Masked()}, notWant: []string{"张三"}},
			{name: "FilterByBranch", path: path("/orgs/%d?branch=%d", fx.top.ID, fx.other.ID), status: http.StatusOK,
				want: []string{"赵六", "阿强"}, notWant: []string{">张三<", ">李四<"}},
			{name: "FilterByCategory", path: path("/orgs/%d?category=%s", fx.top.ID, url.QueryEscape("预备党员")),
				status: http.StatusOK, want: []string{"赵六"}, notWant: []string{">阿强<"}},
			{name: "FilterByAgeBand", path: path("/orgs/%d?age=%s", fx.top.ID, url.QueryEscape("61岁及以上")),
				status: http.StatusOK, want: []string{"阿强", "共 <strong>1</strong>"}, notWant: []string{">赵六<"}},
			{name: "FilterByEducation", path: path("/orgs/%d?education=%s", fx.top.ID, url.QueryEscape("硕士研究生")),
				status: http.StatusOK, want: []string{"李四"}, notWant: []string{">张三<"}},
			{name: "PinyinOrderAndPages", path: path("/orgs/%d?per_page=20&page=1", fx.top.ID), status: http.StatusOK,
				want: []string{"阿强"}},
			{name: "HtmxGetsOnlyTheList", path: path("/orgs/%d?q=ls", fx.top.ID),
				header: map[string]string{"HX-Request": "true", "HX-Target": "members"}, status: http.StatusOK,
				want: []string{`<div id="members"`, "李四"}, notWant: []string{"<html", "班子成员"}},
			{name: "TempBranchShowsAttachments", path: path("/orgs/%d", fx.temp.ID), status: http.StatusOK,
				want: []string{"编入的党员", "存续期间", "2026年3月1日"}},
			{name: "ExportLinkKeepsFilters", path: path("/orgs/%d?category=%s", fx.top.ID, url.QueryEscape("正式党员")),
				status: http.StatusOK, want: []string{path("/orgs/%d/members.xlsx?category=", fx.top.ID)}},
		})
		t.Run("PinyinOrder", func(t *testing.T) {
			body := fx.get(t, path("/orgs/%d", fx.top.ID))
			re := regexp.MustCompile(`<th scope="row"><a href="/members/\d+">([^<]+)</a>`)
			var got []string
			for _, m := range re.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if want := "阿强 李四 王五 张三 赵六"; strings.Join(got, " ") != want {
				t.Fatalf("member order: got %v, want %s", got, want)
			}
		})
		t.Run("Pagination", func(t *testing.T) {
			// per_page accepts 20, 50, 100 only; store two extra pages worth by filtering small pages is not
			// possible, so page past the end of a one-page list and check the count and links.
			body := fx.get(t, path("/orgs/%d?page=3", fx.top.ID))
			if !strings.Contains(body, "共 <strong>5</strong> 名党员") || strings.Contains(body, "张三") {
				t.Fatalf("page past the end: want the total and no rows\n%s", excerpt(body))
			}
		})
	})
}

func TestManyMembersPaginate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		for i := 0; i < 21; i++ {
			birth := "1980-01-01"
			m := &party.Member{Name: "党员" + string(rune('甲'+i)), Gender: party.Male, Ethnicity: "汉族",
				BirthDate: day(birth), IDNumber: party.IDNumber(idFor(birth, true, 100+i)), Education: "大学本科",
				JoinedOn: day("2010-07-01"), FullOn: day("2011-07-01"), Category: party.Full, OrgID: fx.other.ID}
			storetest.MustDo(t, "create", db.CreateMember(ctx, m))
			fx.ids = append(fx.ids, string(m.IDNumber))
		}
		fx.run(t, []scenario{
			{name: "FirstPage", path: path("/orgs/%d", fx.other.ID), status: http.StatusOK,
				want: []string{"共 <strong>23</strong> 名党员", "本页为第 1–20 名", "第 1 / 2 页", `rel="next"`,
					path(`href="/orgs/%d?page=2#members"`, fx.other.ID)}},
			{name: "SecondPage", path: path("/orgs/%d?page=2", fx.other.ID), status: http.StatusOK,
				want: []string{"本页为第 21–23 名", "第 2 / 2 页", `rel="prev"`}},
			{name: "BiggerPages", path: path("/orgs/%d?per_page=50", fx.other.ID), status: http.StatusOK,
				want: []string{"共 <strong>23</strong> 名党员"}, notWant: []string{"第 1 / 2 页"}},
		})
	})
}

func TestOrgForms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "NewFormUnderParent", path: path("/orgs/new?parent=%d", fx.top.ID), status: http.StatusOK,
				want: []string{"新建下级组织", `name="parent_id"`, `<option value="党支部">`, `<label for="f-name">组织名称`}},
			{name: "NewFormUnderBranchOffersOnlyGroups", path: path("/orgs/new?parent=%d", fx.branch.ID), status: http.StatusOK,
				want: []string{`<option value="党小组">`}, notWant: []string{`<option value="党支部">`}},
			{name: "CreateRedirectsToNewOrg", method: "POST", path: "/orgs", status: http.StatusSeeOther,
				form:     url.Values{"parent_id": {fmtID(fx.zong.ID)}, "name": {"训练中心党支部"}, "code": {"t-xl"}, "kind": {"党支部"}, "founded_on": {"2010年5月4日"}},
				location: "/orgs/"},
			{name: "CreatedOrgInTree", path: "/orgs", status: http.StatusOK, want: []string{"训练中心党支部", "T-XL"}},
			{name: "CreateRefusesDuplicateCodeBesideField", method: "POST", path: "/orgs", status: http.StatusConflict,
				form: url.Values{"parent_id": {fmtID(fx.top.ID)}, "name": {"另一个支部"}, "code": {"T-JG"}, "kind": {"党支部"}},
				want: []string{`id="f-code-error"`, "组织编码“T-JG”已被其他组织使用", `value="另一个支部"`, "提交的内容有1处需要修改"}},
			{name: "CreateRequiresName", method: "POST", path: "/orgs", status: http.StatusUnprocessableEntity,
				form: url.Values{"name": {" "}, "code": {"X1"}, "kind": {"党委"}},
				want: []string{`id="f-name-error"`, "组织名称不能为空", `aria-invalid="true"`}},
			{name: "CreateRejectsBadDate", method: "POST", path: "/orgs", status: http.StatusUnprocessableEntity,
				form: url.Values{"name": {"新党委"}, "code": {"X2"}, "kind": {"党委"}, "founded_on": {"2019-02-30"}},
				want: []string{`id="f-founded_on-error"`, "不是存在的日期"}},
			{name: "CreateRefusesBranchUnderGroup", method: "POST", path: "/orgs", status: http.StatusUnprocessableEntity,
				form: url.Values{"parent_id": {fmtID(fx.group.ID)}, "name": {"错位支部"}, "code": {"X3"}, "kind": {"党支部"}},
				want: []string{"党小组下不能再设组织"}},
			{name: "EditForm", path: path("/orgs/%d/edit", fx.other.ID), status: http.StatusOK,
				want: []string{`value="体校党支部"`, `value="T-TX"`}},
			{name: "EditRenames", method: "POST", path: path("/orgs/%d/edit", fx.other.ID), status: http.StatusSeeOther,
				form: url.Values{"name": {"体育运动学校党支部"}, "code": {"T-TX"}, "note": {"更名"}}, location: path("/orgs/%d?done=saved", fx.other.ID)},
			{name: "RenamedWithFlash", path: path("/orgs/%d?done=saved", fx.other.ID), status: http.StatusOK,
				want: []string{"体育运动学校党支部", "已保存。", "更名"}},
			{name: "FlashKeyCannotInjectText", path: path("/orgs/%d?done=%s", fx.other.ID, url.QueryEscape("<b>x</b>")),
				status: http.StatusOK, notWant: []string{"<b>x</b>", "&lt;b&gt;x"}},
			{name: "EditRefusesTakenCode", method: "POST", path: path("/orgs/%d/edit", fx.other.ID), status: http.StatusConflict,
				form: url.Values{"name": {"体育运动学校党支部"}, "code": {"T"}}, want: []string{`id="f-code-error"`, "已被其他组织使用"}},
			{name: "MoveFormListsPossibleParents", path: path("/orgs/%d/move", fx.branch.ID), status: http.StatusOK,
				want: []string{"直属单位党总支（党总支）", "（无上级，作为顶级组织）"}, notWant: []string{"第一党小组（党小组）"}},
			{name: "MoveRefusesGroupAsParent", method: "POST", path: path("/orgs/%d/move", fx.other.ID), status: http.StatusUnprocessableEntity,
				form: url.Values{"parent_id": {fmtID(fx.group.ID)}}, want: []string{`id="f-parent_id-error"`, "党小组下不能再设组织"}},
			{name: "MoveRefusesOwnDescendant", method: "POST", path: path("/orgs/%d/move", fx.top.ID), status: http.StatusUnprocessableEntity,
				form: url.Values{"parent_id": {fmtID(fx.zong.ID)}}, want: []string{"不能把组织移到它自己或它的下级组织之下"}},
			{name: "MoveRequiresChoice", method: "POST", path: path("/orgs/%d/move", fx.other.ID), status: http.StatusUnprocessableEntity,
				form: url.Values{"parent_id": {""}}, want: []string{"请选择新的上级组织"}},
			{name: "MoveUnderGeneralBranch", method: "POST", path: path("/orgs/%d/move", fx.other.ID), status: http.StatusSeeOther,
				form: url.Values{"parent_id": {fmtID(fx.zong.ID)}}, location: path("/orgs/%d?done=moved", fx.other.ID)},
			{name: "MovedBreadcrumb", path: path("/orgs/%d", fx.other.ID), status: http.StatusOK,
				want: []string{path(`<a href="/orgs/%d">直属单位党总支</a>`, fx.zong.ID)}},
			{name: "DissolveFormDefaultsToToday", path: path("/orgs/%d/dissolve", fx.branch.ID), status: http.StatusOK,
				want: []string{`value="2026-11-26"`, "确认撤销"}},
			{name: "DissolveRefusedWhileChildren", method: "POST", path: path("/orgs/%d/dissolve", fx.branch.ID), status: http.StatusConflict,
				form: url.Values{"dissolved_on": {"2026-11-01"}}, want: []string{"无法完成操作", "未撤销的下级组织"}},
			{name: "DissolveRefusedWithMembers", method: "POST", path: path("/orgs/%d/dissolve", fx.other.ID), status: http.StatusConflict,
				form: url.Values{"dissolved_on": {"2026-11-01"}}, want: []string{"还有2名在册党员"}},
			{name: "DissolveRefusesFutureDate", method: "POST", path: path("/orgs/%d/dissolve", fx.temp.ID), status: http.StatusUnprocessableEntity,
				form: url.Values{"dissolved_on": {"2027-01-01"}}, want: []string{`id="f-dissolved_on-error"`, "撤销日期不能晚于今天"}},
			{name: "Dissolve", method: "POST", path: path("/orgs/%d/dissolve", fx.temp.ID), status: http.StatusSeeOther,
				form: url.Values{"dissolved_on": {"2026-11-20"}, "dissolve_note": {"省运会结束"}}, location: path("/orgs/%d?done=dissolved", fx.temp.ID)},
			{name: "DissolvedPageIsReadOnly", path: path("/orgs/%d", fx.temp.ID), status: http.StatusOK,
				want: []string{"本组织已于2026年11月20日撤销", "省运会结束"}, notWant: []string{"/dissolve\"", "调整隶属关系"}},
			{name: "DissolvedHiddenFromTree", path: "/orgs", status: http.StatusOK, notWant: []string{"省运会临时党支部"}},
			{name: "DissolvedShownOnRequest", path: "/orgs?dissolved=1", status: http.StatusOK,
				want: []string{"省运会临时党支部", "已撤销（2026年11月20日）"}},
			{name: "DissolvedCannotBeEdited", path: path("/orgs/%d/edit", fx.temp.ID), status: http.StatusConflict,
				want: []string{"已于2026年11月20日撤销"}},
			{name: "MarkupInNameIsEscaped", method: "POST", path: "/orgs", status: http.StatusSeeOther,
				form: url.Values{"name": {`<script>alert("x")</script>`}, "code": {"XSS"}, "kind": {"党委"}, "note": {`<img src=x onerror=alert(1)>`}}},
			{name: "MarkupEscapedInTree", path: "/orgs", status: http.StatusOK,
				want: []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"}, notWant: []string{`<script>alert("x")`}},
		})
		t.Run("MarkupEscapedOnOrgPage", func(t *testing.T) {
			o, err := db.FindOrgByCode(context.Background(), "XSS")
			storetest.MustDo(t, "find", err)
			body := fx.get(t, path("/orgs/%d", o.ID))
			if strings.Contains(body, "<img src=x") || strings.Contains(body, "<script>alert") {
				t.Fatal("markup from a text field reached the page unescaped")
			}
			if !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
				t.Fatalf("escaped note missing\n%s", excerpt(body))
			}
		})
	})
}

func fmtID(id int64) string { return path("%d", id) }

func TestMemberPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		zhang, li := fx.members[0], fx.members[1]
		newID := idFor("1988-08-08", false, 7)
		good := url.Values{"name": {"孙丽"}, "gender": {"女"}, "ethnicity": {"回族"}, "birth_date": {"1988-08-08"},
			"id_number": {newID}, "phone": {"13700001111"}, "education": {"大学本科"}, "unit_post": {"财务科科长"},
			"joined_on": {"2012-06-01"}, "full_on": {"2013-06-01"}, "category": {"正式党员"}, "org_id": {fmtID(fx.branch.ID)},
			"group_id": {fmtID(fx.group.ID)}, "note": {`<b>备注</b>`}}
		with := func(k, v string) url.Values {
			out := url.Values{}
			for kk, vv := range good {
				out[kk] = vv
			}
			out.Set(k, v)
			return out
		}
		badID := newID[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", newID[17])+1)%11])
		fx.run(t, []scenario{
			{name: "NewFormOffersSubtreeBranches", path: path("/orgs/%d/members/new", fx.top.ID), status: http.StatusOK,
				want: []string{"机关党支部 — 第一党小组", `<option value="汉族" selected>`, `<label for="f-id_number">身份证号`}},
			{name: "BadIDNumberShownBesideField", method: "POST", path: path("/orgs/%d/members", fx.branch.ID),
				form: with("id_number", badID), status: http.StatusUnprocessableEntity,
				want: []string{`id="f-id_number-error"`, "身份证号校验位错误", "value=\"" + badID + "\""}},
			{name: "IDDisagreeingWithBirthDate", method: "POST", path: path("/orgs/%d/members", fx.branch.ID),
				form: with("birth_date", "1988-08-09"), status: http.StatusUnprocessableEntity,
				want: []string{`id="f-birth_date-error"`, "与身份证号中的"}, notWant: []string{newID}},
			{name: "ValidIDNotRepeatedAfterOtherError", method: "POST", path: path("/orgs/%d/members", fx.branch.ID),
				form: with("phone", "12345"), status: http.StatusUnprocessableEntity,
				want: []string{`id="f-phone-error"`, "手机号码应为11位", "请重新输入身份证号"}, notWant: []string{newID}},
			{name: "DuplicateIDNumberRefused", method: "POST", path: path("/orgs/%d/members", fx.branch.ID),
				form: with("id_number", string(zhang.IDNumber)), status: http.StatusUnprocessableEntity,
				want: []string{`id="f-id_number-error"`}},
			{name: "BranchOutsideSubtreeRefused", method: "POST", path: path("/orgs/%d/members", fx.other.ID),
				form: good, status: http.StatusUnprocessableEntity, want: []string{"不在“体校党支部”范围内"}},
			{name: "CreateMember", method: "POST", path: path("/orgs/%d/members", fx.branch.ID), form: good,
				status: http.StatusSeeOther, location: "/members/"},
		})
		fx.ids = append(fx.ids, newID)
		m, err := db.FindMemberByIDNumber(context.Background(), newID)
		storetest.MustDo(t, "find new member", err)
		ctx := context.Background()
		storetest.MustDo(t, "attach", db.Attach(ctx, &party.TempAttachment{MemberID: li.ID, OrgID: fx.temp.ID, StartOn: day("2026-03-05")}))
		atts, err := db.MemberAttachments(ctx, li.ID)
		storetest.MustDo(t, "attachments", err)
		fx.run(t, []scenario{
			{name: "MemberPageMasked", path: path("/members/%d", m.ID), status: http.StatusOK,
				want: []string{"孙丽", party.IDNumber(newID).Masked(), "137****1111", "回族", "1988年8月8日", "第一党小组",
					"&lt;b&gt;备注&lt;/b&gt;"}, notWant: []string{"13700001111", "<b>备注</b>"}},
			{name: "EditFormNeverFillsIDOrPhone", path: path("/members/%d/edit", m.ID), status: http.StatusOK,
				want: []string{`value="孙丽"`, "当前为 " + party.IDNumber(newID).Masked(), "137****1111"}, notWant: []string{"13700001111"}},
			{name: "EditKeepsIDWhenBlank", method: "POST", path: path("/members/%d/edit", m.ID), status: http.StatusSeeOther,
				form: func() url.Values {
					v := with("id_number", "")
					v.Set("phone", "")
					v.Set("unit_post", "财务科副科长")
					return v
				}()},
			{name: "EditedValues", path: path("/members/%d", m.ID), status: http.StatusOK,
				want: []string{"财务科副科长", party.IDNumber(newID).Masked(), "137****1111"}},
			{name: "EditCannotChangeBranch", method: "POST", path: path("/members/%d/edit", m.ID), status: http.StatusUnprocessableEntity,
				form: with("group_id", fmtID(fx.other.ID)), want: []string{`id="f-group_id-error"`}},
			{name: "AddPosition", method: "POST", path: path("/members/%d/positions", m.ID), status: http.StatusSeeOther,
				form: url.Values{"org_id": {fmtID(fx.branch.ID)}, "title": {"组织委员"}, "start_on": {"2025-01-01"}}},
			{name: "PositionRefusesGroupLeaderOutsideGroup", method: "POST", path: path("/members/%d/positions", m.ID),
				status: http.StatusUnprocessableEntity, form: url.Values{"org_id": {fmtID(fx.branch.ID)}, "title": {"党小组长"}, "start_on": {"2025-01-01"}},
				want: []string{`id="f-title-error"`, "党小组长只能在党小组任职"}},
			{name: "OfficerOnBranchPage", path: path("/orgs/%d", fx.branch.ID), status: http.StatusOK, want: []string{"组织委员", "孙丽"}},
			{name: "AttachForm", path: path("/members/%d/attach", m.ID), status: http.StatusOK, want: []string{"省运会临时党支部（2026年3月1日起"}},
			{name: "Attach", method: "POST", path: path("/members/%d/attach", m.ID), status: http.StatusSeeOther,
				form: url.Values{"org_id": {fmtID(fx.temp.ID)}}},
			{name: "AttachedOnTempPage", path: path("/orgs/%d", fx.temp.ID), status: http.StatusOK, want: []string{"孙丽", "李四", "在编"}},
			{name: "EndAttachmentBeforeStartRefused", method: "POST", path: path("/members/%d/attachments/%d/end", li.ID, atts[0].ID),
				status: http.StatusUnprocessableEntity, form: url.Values{"end_on": {"2026-03-01"}},
				want: []string{path(`id="att-end-%d-error"`, atts[0].ID), "不能早于编入日期"}},
			{name: "EndAttachmentOfOtherMemberIs404", method: "POST", path: path("/members/%d/attachments/%d/end", zhang.ID, atts[0].ID),
				status: http.StatusNotFound, form: url.Values{"end_on": {"2026-11-01"}}},
			{name: "EndAttachment", method: "POST", path: path("/members/%d/attachments/%d/end", li.ID, atts[0].ID),
				status: http.StatusSeeOther, form: url.Values{"end_on": {"2026-11-01"}}},
			{name: "MoveWithinTree", method: "POST", path: path("/members/%d/move", zhang.ID), status: http.StatusSeeOther,
				form: url.Values{"org_id": {fmtID(fx.other.ID)}, "on": {"2026-10-01"}, "note": {"工作调动"}}},
			{name: "MoveShowsInHistory", path: path("/members/%d", zhang.ID), status: http.StatusOK,
				want: []string{"系统内转接", "2026年10月1日", "工作调动", "体校党支部"}},
			{name: "MoveToSameBranchRefused", method: "POST", path: path("/members/%d/move", zhang.ID), status: http.StatusUnprocessableEntity,
				form: url.Values{"org_id": {fmtID(fx.other.ID)}, "on": {"2026-10-02"}}, want: []string{"新党支部与原党支部相同"}},
			{name: "TransferOutNeedsDestination", method: "POST", path: path("/members/%d/transfer", li.ID), status: http.StatusUnprocessableEntity,
				form: url.Values{"on": {"2026-11-02"}}, want: []string{`id="f-counterpart-error"`, "请填写转入的党组织名称"}},
			{name: "TransferOut", method: "POST", path: path("/members/%d/transfer", li.ID), status: http.StatusSeeOther,
				form: url.Values{"on": {"2026-11-02"}, "counterpart": {"市教育局机关党支部"}}},
			{name: "TransferredMemberReadOnly", path: path("/members/%d", li.ID), status: http.StatusOK,
				want: []string{"已转出", "市教育局机关党支部", "转出", "记录仅供查阅"}, notWant: []string{"修改信息"}},
			{name: "TransferredLeavesRoster", path: path("/orgs/%d", fx.branch.ID), status: http.StatusOK,
				notWant: []string{">李四<"}},
			{name: "TransferredCannotBeEdited", path: path("/members/%d/edit", li.ID), status: http.StatusConflict},
		})
	})
}

func TestAccessAndErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "AnonymousSentToSignIn", path: "/orgs", remote: "192.0.2.10:5000", anonymous: true, status: http.StatusSeeOther,
				location: "/signin?next=%2Forgs", notWant: []string{"机关党支部"}},
			{name: "AnonymousAPIRefused", path: "/api/v1/orgs", remote: "10.1.2.3:5000", anonymous: true, status: http.StatusUnauthorized,
				notWant: []string{"机关党支部"}},
			{name: "AnonymousPostRefused", method: "POST", path: "/orgs", anonymous: true, form: url.Values{"name": {"x"}},
				status: http.StatusUnauthorized, want: []string{"请先登录"}},
			{name: "ForgedCookieRefused", path: "/orgs", cookie: &http.Cookie{Name: "dangjian_session", Value: "forged"},
				status: http.StatusSeeOther, location: "/signin"},
			{name: "RemoteClientWithSession", path: "/orgs", remote: "192.0.2.10:5000", status: http.StatusOK,
				want: []string{"机关党支部"}},
			{name: "IPv4MappedRemoteWithSession", path: "/orgs", remote: "[::ffff:192.0.2.10]:5000", status: http.StatusOK},
			{name: "IPv6LoopbackAllowed", path: "/orgs", remote: "[::1]:5000", status: http.StatusOK},
			{name: "Loopback127Allowed", path: "/orgs", remote: "127.8.9.10:5000", status: http.StatusOK},
			{name: "UnknownOrg", path: "/orgs/99999", status: http.StatusNotFound, want: []string{"组织不存在", `lang="zh-CN"`}},
			{name: "UnknownMember", path: "/members/99999", status: http.StatusNotFound, want: []string{"党员不存在"}},
			{name: "NonNumericID", path: "/orgs/abc", status: http.StatusNotFound, want: []string{"页面不存在"}},
			{name: "ZeroID", path: "/orgs/0", status: http.StatusNotFound},
			{name: "NegativeID", path: "/members/-1", status: http.StatusNotFound},
			{name: "LeadingZeroID", path: path("/orgs/0%d", fx.top.ID), status: http.StatusNotFound},
			{name: "SignedID", path: path("/orgs/+%d", fx.top.ID), status: http.StatusNotFound},
			{name: "HugeID", path: "/orgs/99999999999999999999999", status: http.StatusNotFound},
			{name: "BadIDInForm", method: "POST", path: "/orgs/x/edit", form: url.Values{"name": {"a"}}, status: http.StatusNotFound},
			{name: "UnknownPath", path: "/nothing/here", status: http.StatusNotFound, want: []string{"页面不存在"}},
			{name: "WrongMethod", method: "DELETE", path: "/orgs", status: http.StatusMethodNotAllowed, want: []string{"请求方式不正确"}},
			{name: "CrossSitePostRefused", method: "POST", path: "/orgs", form: url.Values{"name": {"x"}, "code": {"X"}, "kind": {"党委"}},
				header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: http.StatusForbidden, want: []string{"跨站请求伪造"}},
			{name: "StaticCSS", path: "/static/app.css", status: http.StatusOK, want: []string{"#c8161d"}},
			{name: "StaticHtmx", path: "/static/vendor/htmx.min.js", status: http.StatusOK, want: []string{"htmx"}},
			{name: "StaticMissing", path: "/static/nope.css", status: http.StatusNotFound},
			{name: "StaticNoListing", path: "/static/vendor/", status: http.StatusNotFound},
			{name: "ImportTokenUnknown", method: "POST", path: path("/orgs/%d/import/%s", fx.top.ID, strings.Repeat("ab", 16)),
				status: http.StatusGone, want: []string{"没有待确认的导入"}},
			{name: "ImportTokenMalformed", method: "POST", path: path("/orgs/%d/import/zz", fx.top.ID), status: http.StatusNotFound},
		})
		t.Run("SecurityHeaders", func(t *testing.T) {
			for _, p := range []string{"/orgs", path("/orgs/%d", fx.top.ID), path("/members/%d", fx.members[0].ID), "/orgs/99999"} {
				w := fx.do(t, request{method: "GET", path: p})
				h := w.Header()
				csp := h.Get("Content-Security-Policy")
				for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("%s: CSP %q lacks %q", p, csp, want)
					}
				}
				if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
					t.Errorf("%s: CSP allows inline code: %q", p, csp)
				}
				for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
					"Cache-Control": "no-store"} {
					if got := h.Get(k); got != want {
						t.Errorf("%s: %s = %q, want %q", p, k, got, want)
					}
				}
			}
		})
		t.Run("NoInlineScriptOrStyle", func(t *testing.T) {
			body := fx.get(t, path("/orgs/%d", fx.top.ID))
			for _, bad := range []string{"<style", " style=", "<script>", " onclick=", " onload=", "javascript:"} {
				if strings.Contains(body, bad) {
					t.Errorf("the page holds %q, which the CSP forbids", bad)
				}
			}
			if !strings.Contains(body, `"includeIndicatorStyles":false`) {
				t.Error("htmx is not configured to do without inline styles")
			}
		})
		t.Run("StaticCachedByVersion", func(t *testing.T) {
			body := fx.get(t, "/orgs")
			m := regexp.MustCompile(`/static/app\.css\?v=([0-9a-f]+)`).FindStringSubmatch(body)
			if m == nil {
				t.Fatal("no versioned style sheet link")
			}
			w := fx.do(t, request{method: "GET", path: "/static/app.css?v=" + m[1]})
			if got := w.Header().Get("Cache-Control"); !strings.Contains(got, "immutable") {
				t.Errorf("versioned asset Cache-Control %q", got)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
				t.Errorf("Content-Type %q", ct)
			}
		})
		t.Run("OversizedFormRefused", func(t *testing.T) {
			w := fx.do(t, request{method: "POST", path: "/orgs", form: url.Values{"note": {strings.Repeat("x", 2<<20)}}})
			if w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", w.Code)
			}
		})
	})
}

func TestExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		w := fx.do(t, request{method: "GET", path: path("/orgs/%d/members.xlsx?branch=%d", fx.top.ID, fx.branch.ID)})
		if w.Code != http.StatusOK {
			t.Fatalf("status %d\n%s", w.Code, excerpt(w.Body.String()))
		}
		cd := w.Header().Get("Content-Disposition")
		if want := "filename*=UTF-8''%E4%B8%AD%E5%85%B1"; !strings.Contains(cd, want) || !strings.HasPrefix(cd, "attachment;") {
			t.Errorf("Content-Disposition %q, want attachment with %s", cd, want)
		}
		if got := w.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control %q", got)
		}
		f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		storetest.MustDo(t, "open export", err)
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetName(0))
		storetest.MustDo(t, "read export", err)
		if got, want := len(rows), 1+3; got != want {
			t.Fatalf("export of one branch: %d rows, want %d", got, want)
		}
		all := ""
		for _, r := range rows {
			all += strings.Join(r, "|") + "\n"
		}
		for _, id := range fx.ids {
			if strings.Contains(all, id) {
				t.Errorf("export holds a full ID number")
			}
		}
		if !strings.Contains(all, fx.members[0].IDNumber.Masked()) {
			t.Errorf("export lacks the masked ID number\n%s", all)
		}
		var n int
		err = db.RawQueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1 AND org_id = $2`,
			store.ActExport, fx.top.ID).Scan(&n)
		storetest.MustDo(t, "count audit", err)
		if n != 1 {
			t.Errorf("export audit rows: %d, want 1", n)
		}
		t.Run("AuditKeepsSearchedIDMasked", func(t *testing.T) {
			li := fx.members[1]
			w := fx.do(t, request{method: "GET", path: path("/orgs/%d/members.xlsx?q=%s", fx.top.ID, string(li.IDNumber))})
			if w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			var detail string
			err := db.RawQueryRow(context.Background(), `SELECT detail FROM audit_log WHERE action = $1 ORDER BY id DESC LIMIT 1`,
				store.ActExport).Scan(&detail)
			storetest.MustDo(t, "read audit", err)
			if strings.Contains(detail, string(li.IDNumber)) || !strings.Contains(detail, li.IDNumber.Masked()) {
				t.Fatalf("export audit detail %q: want the searched ID number masked", detail)
			}
		})
		t.Run("Template", func(t *testing.T) {
			w := fx.do(t, request{method: "GET", path: path("/orgs/%d/template.xlsx", fx.top.ID)})
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
				t.Fatalf("template: status %d type %q", w.Code, w.Header().Get("Content-Type"))
			}
			f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
			storetest.MustDo(t, "open template", err)
			defer f.Close()
			rows, err := f.GetRows(f.GetSheetName(0))
			storetest.MustDo(t, "read template", err)
			if len(rows) == 0 || strings.Join(rows[0], " ") != strings.Join(party.MemberHeaders, " ") {
				t.Fatalf("template headers: %v", rows)
			}
		})
	})
}

func TestImportPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		bad := rosterFile(t, [][]string{
			rosterRow("钱七", "1986-04-04", 31, "机关党支部", "第一党小组"),
			func() []string {
				r := rosterRow("孙八", "1987-05-05", 32, "机关党支部", "")
				r[4] = "11010119870505001"
				return r
			}(),
		})
		good := rosterFile(t, [][]string{
			rosterRow("钱七", "1986-04-04", 31, "机关党支部", "第一党小组"),
			rosterRow("孙八", "1987-05-05", 32, "T-JG", ""),
		})
		fx.ids = append(fx.ids, idFor("1986-04-04", true, 31), idFor("1987-05-05", true, 32))
		post := func(t *testing.T, p, name string, data []byte, fields map[string]string) (int, string) {
			body, ct := upload(t, name, data, fields)
			w := fx.do(t, request{method: "POST", path: p, body: body, contentType: ct})
			return w.Code, w.Body.String()
		}
		t.Run("FormLinksTemplate", func(t *testing.T) {
			body := fx.get(t, path("/orgs/%d/import", fx.branch.ID))
			for _, want := range []string{path("/orgs/%d/template.xlsx", fx.branch.ID), `enctype="multipart/form-data"`, `type="file"`} {
				if !strings.Contains(body, want) {
					t.Errorf("import form lacks %q", want)
				}
			}
		})
		t.Run("NoFile", func(t *testing.T) {
			code, body := post(t, path("/orgs/%d/import", fx.branch.ID), "a.xlsx", nil, nil)
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-file-error"`) {
				t.Fatalf("empty upload: %d\n%s", code, excerpt(body))
			}
		})
		t.Run("NotAWorkbook", func(t *testing.T) {
			code, body := post(t, path("/orgs/%d/import", fx.branch.ID), "roster.xlsx", []byte("not a zip"), nil)
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, "不是有效的 Excel") {
				t.Fatalf("garbage upload: %d\n%s", code, excerpt(body))
			}
		})
		t.Run("BadRowListedNothingImported", func(t *testing.T) {
			code, body := post(t, path("/orgs/%d/import", fx.branch.ID), "名册.xlsx", bad, nil)
			if code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d\n%s", code, excerpt(body))
			}
			for _, want := range []string{"没有导入任何数据", "<td class=\"nowrap\">第3行</td><td class=\"nowrap\">身份证号</td>", "名册.xlsx"} {
				if !strings.Contains(body, want) {
					t.Errorf("preview lacks %q\n%s", want, excerpt(body))
				}
			}
			if strings.Contains(body, "确认导入") {
				t.Error("a file with errors offers confirmation")
			}
			if _, err := db.FindMemberByIDNumber(context.Background(), idFor("1986-04-04", true, 31)); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("the good row of a bad file was imported: %v", err)
			}
		})
		var confirm string
		t.Run("GoodFilePreviewsCounts", func(t *testing.T) {
			code, body := post(t, path("/orgs/%d/import", fx.branch.ID), "名册.xlsx", good, nil)
			if code != http.StatusOK {
				t.Fatalf("status %d\n%s", code, excerpt(body))
			}
			if !strings.Contains(body, "将新增 <strong>2</strong> 人") {
				t.Errorf("preview lacks counts\n%s", excerpt(body))
			}
			m := regexp.MustCompile(`action="(/orgs/\d+/import/[0-9a-f]{32})"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no confirm form\n%s", excerpt(body))
			}
			confirm = m[1]
			if _, err := db.FindMemberByIDNumber(context.Background(), idFor("1986-04-04", true, 31)); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("the preview imported: %v", err)
			}
		})
		t.Run("TokenBelongsToItsOrg", func(t *testing.T) {
			w := fx.do(t, request{method: "POST", path: strings.Replace(confirm, fmtID(fx.branch.ID), fmtID(fx.other.ID), 1)})
			if w.Code != http.StatusGone {
				t.Fatalf("token used for another org: status %d", w.Code)
			}
		})
		t.Run("ConfirmImports", func(t *testing.T) {
			w := fx.do(t, request{method: "POST", path: confirm})
			body := w.Body.String()
			if w.Code != http.StatusOK || !strings.Contains(body, "导入完成") || !strings.Contains(body, "新增 <strong>2</strong> 人") {
				t.Fatalf("confirm: %d\n%s", w.Code, excerpt(body))
			}
			page := fx.get(t, path("/orgs/%d", fx.branch.ID))
			if !strings.Contains(page, "钱七") || !strings.Contains(page, "孙八") {
				t.Fatalf("imported members missing from the branch page")
			}
		})
		t.Run("TokenUsedOnce", func(t *testing.T) {
			w := fx.do(t, request{method: "POST", path: confirm})
			if w.Code != http.StatusGone {
				t.Fatalf("second confirm: status %d", w.Code)
			}
		})
		t.Run("PreviewExpiresAfter30Minutes", func(t *testing.T) {
			other := rosterFile(t, [][]string{rosterRow("周九", "1989-09-09", 33, "体校党支部", "")})
			fx.ids = append(fx.ids, idFor("1989-09-09", true, 33))
			code, body := post(t, path("/orgs/%d/import", fx.top.ID), "名册.xlsx", other, nil)
			m := regexp.MustCompile(`action="(/orgs/\d+/import/[0-9a-f]{32})"`).FindStringSubmatch(body)
			if code != http.StatusOK || m == nil {
				t.Fatalf("preview: %d\n%s", code, excerpt(body))
			}
			fx.later = 31 * time.Minute
			defer func() { fx.later = 0 }()
			w := fx.do(t, request{method: "POST", path: m[1]})
			if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "超过30分钟") {
				t.Fatalf("confirm after 31 minutes: status %d", w.Code)
			}
			if _, err := db.FindMemberByIDNumber(context.Background(), idFor("1989-09-09", true, 33)); party.ErrorCode(err) != party.ENOTFOUND {
				t.Fatalf("an expired preview was imported: %v", err)
			}
		})
		t.Run("UploadOver20MBRefused", func(t *testing.T) {
			code, body := post(t, path("/orgs/%d/import", fx.top.ID), "大.xlsx", make([]byte, 20<<20+1), nil)
			if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "文件超过20MB") {
				t.Fatalf("oversized upload: %d\n%s", code, excerpt(body))
			}
		})
		t.Run("OrgSheet", func(t *testing.T) {
			sheet := workbook(t, party.OrgHeaders, [][]string{
				{"后勤服务中心党总支", "党总支", "", "T-HQ", "2012-01-01"},
				{"食堂党支部", "党支部", "T-HQ", "T-HQ-ST", "2012-01-01"},
			})
			body := fx.get(t, "/orgs/import")
			if !strings.Contains(body, "（无，作为顶级组织）") || !strings.Contains(body, "/orgs/template.xlsx") {
				t.Fatalf("org import form\n%s", excerpt(body))
			}
			code, body := post(t, "/orgs/import", "组织.xlsx", sheet, map[string]string{"parent_id": fmtID(fx.top.ID)})
			if code != http.StatusOK || !strings.Contains(body, "将新增 <strong>2</strong> 个组织") {
				t.Fatalf("org preview: %d\n%s", code, excerpt(body))
			}
			m := regexp.MustCompile(`action="(/orgs/import/confirm/[0-9a-f]{32}\?parent=\d+)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no confirm form\n%s", excerpt(body))
			}
			w := fx.do(t, request{method: "POST", path: strings.ReplaceAll(m[1], "&amp;", "&")})
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "导入完成") {
				t.Fatalf("org confirm: %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			tree := fx.get(t, "/orgs")
			if !strings.Contains(tree, "食堂党支部") {
				t.Fatal("imported organization missing from the tree")
			}
			w = fx.do(t, request{method: "GET", path: "/orgs/template.xlsx"})
			if w.Code != http.StatusOK {
				t.Fatalf("org template: %d", w.Code)
			}
		})
	})
}
