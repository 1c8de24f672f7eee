package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// topicStudyEvent records a held 专题学习 of org on day (YYYY-MM-DD) that studied topics.
func topicStudyEvent(t *testing.T, db *store.DB, org *party.Org, day string, title string, topics ...int64) *party.Event {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02 15:04", day+" 14:30", party.Zone)
	if err != nil {
		t.Fatal(err)
	}
	e := &party.Event{OrgID: org.ID, Type: party.TypeTopicStudy, Title: title, StartAt: d, EndAt: d.Add(90 * time.Minute),
		TopicIDs: topics}
	storetest.MustDo(t, "record "+title, db.RecordEvent(context.Background(), e, nil))
	return e
}

// otherBureau adds a second bureau with one branch beside the fixture's.
func otherBureau(t *testing.T, db *store.DB) (top, branch *party.Org) {
	t.Helper()
	ctx := context.Background()
	top = &party.Org{Name: "中共另一局党组", Code: "Y", Kind: party.KindLeadingGroup}
	storetest.MustDo(t, "other top", db.CreateOrg(ctx, top))
	branch = &party.Org{Name: "另一局机关党支部", Code: "Y-JG", Kind: party.KindBranch, ParentID: top.ID}
	storetest.MustDo(t, "other branch", db.CreateOrg(ctx, branch))
	return top, branch
}

func TestTopicForms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		form := func(title, issued, source string) url.Values {
			return url.Values{"title": {title}, "issued_on": {issued}, "source": {source}, "note": {"备注"}}
		}
		fx.run(t, []scenario{
			{name: "NewFormHasFields", path: "/topics/new", status: 200, want: []string{"登记第一议题", `name="title"`, `name="issued_on"`}},
			{name: "MissingTitle", method: "POST", path: "/topics", form: form("", "2026-10-01", ""), status: 422,
				want: []string{"第一议题标题", "f-title-error"}},
			{name: "BadDate", method: "POST", path: "/topics", form: form("关于某重要讲话", "2026-13-45", ""), status: 422,
				want: []string{"不是存在的日期", "f-issued_on-error"}},
			{name: "MalformedDate", method: "POST", path: "/topics", form: form("关于某重要讲话", "十月一日", ""), status: 422,
				want: []string{"不是有效日期", "f-issued_on-error"}},
			{name: "FutureDate", method: "POST", path: "/topics", form: form("关于某重要讲话", "2027-01-01", ""), status: 422,
				want: []string{"发表日期不能晚于今天"}},
			{name: "TitleTooLong", method: "POST", path: "/topics", form: form(strings.Repeat("长", party.MaxTitleLen+1), "2026-10-01", ""),
				status: 422, want: []string{"f-title-error"}},
			{name: "SourceTooLong", method: "POST", path: "/topics", form: form("关于某重要讲话", "2026-10-01", strings.Repeat("源", party.MaxTitleLen+1)),
				status: 422, want: []string{"f-source-error"}},
			{name: "Created", method: "POST", path: "/topics", form: form("<script>alert(1)</script>在某会议上的讲话", "2026-10-01", "《求是》"),
				status: 303, location: "/topics/"},
			{name: "DuplicateTitle", method: "POST", path: "/topics", form: form("<script>alert(1)</script>在某会议上的讲话", "2026-10-02", ""),
				status: 409, want: []string{"第一议题台账中已有"}},
			{name: "LedgerEscapesTitle", path: "/topics", status: 200,
				want: []string{"&lt;script&gt;alert(1)&lt;/script&gt;在某会议上的讲话", "2026年10月1日", "《求是》"}, notWant: []string{"<script>alert(1)"}},
			{name: "UnknownTopic", path: "/topics/999999", status: 404},
			{name: "MalformedTopicID", path: "/topics/abc", status: 404},
			{name: "UnknownTopicEdit", path: "/topics/999999/edit", status: 404},
			{name: "UnknownTopicUpdate", method: "POST", path: "/topics/999999/edit", form: form("标题", "", ""), status: 404},
		})
		list, err := db.FirstTopics(context.Background(), store.TopicFilter{})
		storetest.MustDo(t, "topics", err)
		if len(list) != 1 {
			t.Fatalf("%d topics, want 1", len(list))
		}
		id := strconv.FormatInt(list[0].ID, 10)
		fx.run(t, []scenario{
			{name: "EditFormFilled", path: "/topics/" + id + "/edit", status: 200, want: []string{`value="2026-10-01"`, "修改第一议题"}},
			{name: "EditBadDate", method: "POST", path: "/topics/" + id + "/edit", form: form("新标题", "2026/02/30", ""), status: 422,
				want: []string{"不是存在的日期"}},
			{name: "EditSaved", method: "POST", path: "/topics/" + id + "/edit", form: form("在某会议上的重要讲话", "", "新华社"),
				status: 303, location: "/topics/" + id},
			{name: "ShowsChange", path: "/topics/" + id + "?done=saved", status: 200, want: []string{"在某会议上的重要讲话", "新华社", "第一议题已保存"}},
		})
		got, err := db.FindFirstTopic(context.Background(), list[0].ID)
		storetest.MustDo(t, "find", err)
		if !got.IssuedOn.IsZero() || got.Source != "新华社" {
			t.Fatalf("saved %+v", got)
		}
	})
}

func TestTopicCoverageIsScopedToTheUsersSubtree(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		_, otherBranch := otherBureau(t, db)
		topic := &party.FirstTopic{Title: "在全国组织工作会议上的讲话", IssuedOn: day("2026-06-01"), Source: "新华社"}
		storetest.MustDo(t, "topic", db.CreateFirstTopic(ctx, topic))
		old := &party.FirstTopic{Title: "去年的重要指示", IssuedOn: day("2025-03-01")}
		storetest.MustDo(t, "old topic", db.CreateFirstTopic(ctx, old))
		first := topicStudyEvent(t, db, fx.branch, "2026-06-10", "六月专题学习", topic.ID)
		topicStudyEvent(t, db, fx.branch, "2026-07-08", "七月专题学习", topic.ID)
		topicStudyEvent(t, db, fx.branch, "2026-06-10", "同日的其他学习")
		topicStudyEvent(t, db, otherBranch, "2026-06-05", "外局专题学习", topic.ID)

		sec := fx.account(t, "sec", party.Grant{Role: party.RoleSecretary, OrgID: fx.branch.ID})
		topAdmin := fx.account(t, "topadmin", party.Grant{Role: party.RolePartyAdmin, OrgID: fx.top.ID})
		tid := strconv.FormatInt(topic.ID, 10)
		eventLink := `href="/events/` + strconv.FormatInt(first.ID, 10) + `"`
		fx.run(t, []scenario{
			{name: "SecretarySeesOnlyTheBranch", path: "/topics/" + tid, cookie: sec, status: 200,
				want:    []string{"机关党支部", "2026年6月10日", "9天", eventLink, "已学习 <strong>1</strong> 个组织"},
				notWant: []string{"另一局", "体校党支部", "中共测试局党组", "修改</a>"}},
			{name: "BureauAdminSeesTheBureau", path: "/topics/" + tid, cookie: topAdmin, status: 200,
				want: []string{"机关党支部", eventLink, "体校党支部", "直属单位党总支", "省运会临时党支部", "中共测试局党组",
					"尚未学习 <strong>4</strong> 个组织"},
				// The ledger is shared: a bureau's administrator reads it and does not edit it.
				notWant: []string{"另一局", "第一党小组", "修改</a>"}},
			{name: "InstallationAdminSeesBoth", path: "/topics/" + tid, status: 200,
				want: []string{"机关党支部", "另一局机关党支部", "2026年6月5日", "4天", "已学习 <strong>2</strong> 个组织"}},
			{name: "LedgerCountsForTheSubtree", path: "/topics", cookie: topAdmin, status: 200,
				want:    []string{"在全国组织工作会议上的讲话", `<td class="num">1</td>`, "未学 4", "中共测试局党组"},
				notWant: []string{"去年的重要指示", "另一局"}},
			{name: "LedgerForTheBranch", path: "/topics", cookie: sec, status: 200,
				want: []string{`<td class="num">1</td><td class="num">0</td>`}, notWant: []string{"登记第一议题"}},
			{name: "LedgerOfLastYear", path: "/topics?year=2025", cookie: topAdmin, status: 200,
				want: []string{"去年的重要指示", "未学 5"}, notWant: []string{"在全国组织工作会议上的讲话"}},
			{name: "LedgerOfAllYears", path: "/topics?year=", cookie: topAdmin, status: 200,
				want: []string{"去年的重要指示", "在全国组织工作会议上的讲话"}},
			{name: "LedgerSearch", path: "/topics?year=&q=" + url.QueryEscape("重要指示"), cookie: topAdmin, status: 200,
				want: []string{"去年的重要指示"}, notWant: []string{"在全国组织工作会议上的讲话"}},
			{name: "BadYear", path: "/topics?year=abcd", cookie: topAdmin, status: 200,
				want: []string{"年份“abcd”无效", "在全国组织工作会议上的讲话"}},
			{name: "SecretaryMayNotWrite", path: "/topics/new", cookie: sec, status: http.StatusForbidden},
			{name: "SecretaryMayNotPost", method: "POST", path: "/topics", cookie: sec,
				form: url.Values{"title": {"不应登记"}}, status: http.StatusForbidden},
		})
		all, err := db.FirstTopics(ctx, store.TopicFilter{Query: "不应登记"})
		storetest.MustDo(t, "topics", err)
		if len(all) != 0 {
			t.Fatal("a refused request added a topic")
		}
	})
}
