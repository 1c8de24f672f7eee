package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// EventsSummary counts what LoadEvents created.
type EventsSummary struct {
	Events      int
	Planned     int
	Topics      int
	CenterGroup int // 中心组 sessions of the first half-year
	NightSchool int // 夜校 sessions of the first half-year
	Elapsed     time.Duration
}

// String describes the summary in one Chinese sentence.
func (s *EventsSummary) String() string {
	return fmt.Sprintf("已登记组织生活和学习活动%d次（上半年中心组学习%d次、夜校学习%d次），计划中的活动%d次，第一议题%d项",
		s.Events, s.CenterGroup, s.NightSchool, s.Planned, s.Topics)
}

// demoTopic is a made-up 第一议题 item, issued on a day of the current year.
type demoTopic struct {
	month time.Month
	day   int
	title string
	src   string
}

var demoTopics = []demoTopic{
	{1, 12, "中央纪委全会精神", "中央纪委国家监委网站"},
	{2, 20, "关于体育强国建设的重要论述", "《求是》杂志"},
	{3, 12, "学习贯彻全国两会精神", "新华社"},
	{4, 10, "关于意识形态工作的重要论述", "《求是》杂志"},
	{5, 8, "关于加强作风建设的重要论述", "人民日报"},
	{6, 5, "关于安全生产工作的重要指示精神", "新华社"},
	{7, 1, "庆祝中国共产党成立周年的重要讲话精神", "新华社"},
	{8, 8, "关于全民健身和青少年体育工作的重要论述", "《求是》杂志"},
	{10, 20, "中央全会精神", "新华社"},
}

// themeDays are the 主题党日 topics of each month.
var themeDays = []string{"重温入党誓词，开展新年主题党日", "春节前走访慰问困难党员", "学雷锋志愿服务进社区",
	"清明祭英烈，缅怀革命先烈", "“学论述 正家风”廉洁读书", "“七一”前夕赴市档案馆参观展览", "党员志愿服务保障省运会",
	"全民健身日志愿服务", "学习新修订的党内法规", "国庆主题党日：唱响红色歌曲", "学习中央全会精神", "年度党员积分评议（不排名次）"}

// leaveReasons are the usual reasons for leave at the bureau.
var leaveReasons = []string{"出差", "病假", "参加省运会集训", "外出培训", "事假", "带队比赛"}

// places are where each organization meets.
var places = map[string]string{
	TopCode: "局机关三楼会议室", "QCTY-JG": "局机关党员活动室", "QCTY-TX": "市体育运动学校会议室",
	"QCTY-XL": "市体育训练中心会议室", "QCTY-QM": "市全民健身服务中心会议室", "QCTY-CG": "市体育中心综合楼会议室",
	"QCTY-LT": "老干部活动中心", "QCTY-SYH": "省运会代表团驻地会议室",
}

// eventLoader records the demo bureau's year through the store's ordinary methods.
type eventLoader struct {
	db      *store.DB
	today   party.Date
	rng     *rand.Rand
	orgs    map[string]*party.Org
	topics  []*party.FirstTopic
	studied map[int64]map[int64]bool // org -> topics studied
	skip    map[string]map[int64]bool
	sum     EventsSummary
}

// LoadEvents gives the demo bureau (loaded by Load) its organizational life and study of the
// current year up to the day before today, through the store's ordinary, audited methods:
// the 党组's 中心组 (7 sessions in the first half-year), 党组会 and 民主生活会, 20 夜校
// sessions in the first half-year, the branches' 三会一课 and 主题党日 with a few real gaps
// (the third party group of the 机关党支部 misses April and May, as the seed report complains;
// a 支部委员会 of the retirees' branch lacks a quorum), 第一议题 items studied some days or
// weeks after their issue, recurring plans for the coming months and a meeting planned for
// next week.
func LoadEvents(ctx context.Context, db *store.DB, today party.Date) (*EventsSummary, error) {
	start := time.Now()
	top, err := db.FindOrgByCode(ctx, TopCode)
	if err != nil {
		return nil, fmt.Errorf("demo: events need the demo bureau: %w", err)
	}
	orgs, err := db.ListOrgs(ctx, store.OrgFilter{Root: top.ID, IncludeDissolved: true})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	l := &eventLoader{db: db, today: today, rng: rand.New(rand.NewPCG(demoSeed, 4)), orgs: map[string]*party.Org{},
		studied: map[int64]map[int64]bool{}, skip: map[string]map[int64]bool{}}
	for _, o := range orgs {
		l.orgs[o.Code] = o
	}
	if err := l.load(ctx); err != nil {
		return nil, fmt.Errorf("demo: events: %w", err)
	}
	l.sum.Elapsed = time.Since(start)
	return &l.sum, nil
}

// on returns day d of month m this year.
func (l *eventLoader) on(m time.Month, d int) party.Date {
	return party.Date{Year: l.today.Year, Month: m, Day: min(d, party.DaysIn(l.today.Year, m))}
}

// workday moves a Saturday or Sunday to the next Monday.
func workday(d party.Date) party.Date {
	switch d.Time().Weekday() {
	case time.Saturday:
		return d.AddDays(2)
	case time.Sunday:
		return d.AddDays(1)
	}
	return d
}

func (l *eventLoader) load(ctx context.Context) error {
	top := l.orgs[TopCode]
	if err := l.db.CreateRule(ctx, &party.Rule{Type: party.TypeNightSchool, Kinds: []party.OrgKind{party.KindLeadingGroup},
		RootOrgID: top.ID, Frequency: party.HalfYear, MinCount: 20, EffectiveFrom: party.Date{Year: l.today.Year - 1, Month: 1, Day: 1},
		Source: "局党组夜校学习制度（每周一次，每半年不少于20次）", Note: "本局规定"}); err != nil {
		return fmt.Errorf("night school rule: %w", err)
	}
	for _, t := range demoTopics {
		d := l.on(t.month, t.day)
		if !d.Before(l.today) {
			continue
		}
		ft := &party.FirstTopic{Title: t.title, IssuedOn: d, Source: t.src}
		if err := l.db.CreateFirstTopic(ctx, ft); err != nil {
			return fmt.Errorf("topic %s: %w", t.title, err)
		}
		l.topics = append(l.topics, ft)
		l.sum.Topics++
	}
	// The sports school's branch has not yet studied the ideology item: the page shows it.
	if len(l.topics) > 3 {
		l.skip["QCTY-TX"] = map[int64]bool{l.topics[3].ID: true}
	}
	for m := time.January; m <= l.today.Month; m++ {
		if err := l.month(ctx, m); err != nil {
			return err
		}
	}
	return l.plans(ctx)
}

// month records month m's events of every organization.
func (l *eventLoader) month(ctx context.Context, m time.Month) error {
	top := l.orgs[TopCode]
	h1 := m <= time.June
	if err := l.record(ctx, top, party.TypeLeadingGroup, workday(l.on(m, 3)), "09:00", "党组会议"); err != nil {
		return err
	}
	if err := l.record(ctx, top, party.TypeCenterGroup, workday(l.on(m, 10)), "09:00", "党组理论学习中心组集中学习"); err != nil {
		return err
	}
	if m == time.March {
		if err := l.record(ctx, top, party.TypeCenterGroup, workday(l.on(m, 18)), "09:00", "专题学习全国两会精神"); err != nil {
			return err
		}
	}
	if err := l.record(ctx, top, party.TypeLeadingGroup, workday(l.on(m, 17)), "09:00", "党组会议"); err != nil {
		return err
	}
	if m == time.January {
		if err := l.record(ctx, top, party.TypeDemocraticLife, workday(l.on(m, 20)), "09:00", "党组年度民主生活会"); err != nil {
			return err
		}
	}
	for _, d := range l.nightSchool(m) {
		if err := l.record(ctx, top, party.TypeNightSchool, d, "19:00", "夜校学习"); err != nil {
			return err
		}
	}
	for _, code := range []string{"QCTY-JG", "QCTY-TX", "QCTY-XL", "QCTY-QM", "QCTY-CG", "QCTY-LT"} {
		if err := l.branch(ctx, code, m, h1); err != nil {
			return err
		}
	}
	for i := 1; i <= 3; i++ {
		code := fmt.Sprintf("QCTY-JG-%d", i)
		// The third group cannot meet in April and May, and not yet this month.
		if i == 3 && (m == time.April || m == time.May || m == l.today.Month) {
			continue
		}
		if err := l.record(ctx, l.orgs[code], party.TypeGroupMeeting, workday(l.on(m, 10+i)), "16:30", "党小组学习会"); err != nil {
			return err
		}
	}
	return l.games(ctx, m)
}

// nightSchool returns the 夜校 evenings of month m: Thursdays, with the weeks of New Year, the
// Spring Festival, Qingming, May Day and the Dragon Boat Festival skipped, twenty in the first
// half-year; in the second half-year every Thursday but the month's first.
func (l *eventLoader) nightSchool(m time.Month) []party.Date {
	if m > time.June {
		var out []party.Date
		for i, d := range thursdays(l.today.Year, m) {
			if i > 0 {
				out = append(out, d)
			}
		}
		return out
	}
	var all []party.Date
	for o := time.January; o <= time.June; o++ {
		for i, d := range thursdays(l.today.Year, o) {
			n := len(thursdays(l.today.Year, o))
			switch {
			case o == time.January && i == 0, o == time.February && (i == 1 || i == 2),
				o == time.April && (i == 0 || i == n-1):
				continue
			}
			all = append(all, d)
		}
	}
	// Twenty in the half-year: the last weeks of June give way (exams, the Dragon Boat
	// Festival) when the calendar has more Thursdays.
	for len(all) > 20 {
		drop := len(all) - 2
		all = append(all[:drop], all[drop+1:]...)
	}
	var out []party.Date
	for _, d := range all {
		if d.Month == m {
			out = append(out, d)
		}
	}
	return out
}

// thursdays returns the Thursdays of month m of year y.
func thursdays(y int, m time.Month) []party.Date {
	var out []party.Date
	for d := (party.Date{Year: y, Month: m, Day: 1}); d.Month == m; d = d.AddDays(1) {
		if d.Time().Weekday() == time.Thursday {
			out = append(out, d)
		}
	}
	return out
}

// branch records month m of one branch.
func (l *eventLoader) branch(ctx context.Context, code string, m time.Month, h1 bool) error {
	o := l.orgs[code]
	committee := workday(l.on(m, 6))
	switch {
	case code == "QCTY-CG" && m == time.May:
		// The venue centre's committee did not meet in May (the centre hosted the games' trials).
	case code == "QCTY-LT" && m == time.February:
		// Spring Festival: two of five committee members came, which is no quorum.
		if err := l.recordWith(ctx, o, party.TypeBranchCommittee, committee, "09:30", "支部委员会会议", 3); err != nil {
			return err
		}
	default:
		if err := l.record(ctx, o, party.TypeBranchCommittee, committee, "09:30", "支部委员会会议"); err != nil {
			return err
		}
	}
	if !(code == "QCTY-LT" && m == time.February) && !(code == "QCTY-TX" && m == time.August) {
		if err := l.record(ctx, o, party.TypeThemeDay, workday(l.on(m, 15)), "14:30", themeDays[m-1]); err != nil {
			return err
		}
	}
	if m%3 == 0 {
		if err := l.record(ctx, o, party.TypeBranchAssembly, workday(l.on(m, 24)), "14:30",
			fmt.Sprintf("第%s季度支部党员大会", cnNumber(int(m)/3))); err != nil {
			return err
		}
	}
	switch {
	case m == time.January:
		if err := l.record(ctx, o, party.TypeOrgLife, workday(l.on(m, 27)), "09:00", "年度组织生活会"); err != nil {
			return err
		}
		if err := l.record(ctx, o, party.TypeMemberReview, workday(l.on(m, 28)), "09:00", "民主评议党员"); err != nil {
			return err
		}
	case m == time.April && code == "QCTY-JG":
		if err := l.record(ctx, o, party.TypePartyLecture, workday(l.on(m, 22)), "15:00", "党组书记讲专题党课：以作风建设促进体育事业发展"); err != nil {
			return err
		}
	case m == time.June:
		if err := l.record(ctx, o, party.TypePartyLecture, workday(l.on(m, 26)), "15:00", "“七一”专题党课"); err != nil {
			return err
		}
	case m == time.March || m == time.September:
		if code != "QCTY-LT" && code != "QCTY-QM" {
			if err := l.talk(ctx, o, workday(l.on(m, 10))); err != nil {
				return err
			}
		}
	}
	return nil
}

// games records month m of the temporary branch of the provincial games, while it exists.
func (l *eventLoader) games(ctx context.Context, m time.Month) error {
	o := l.orgs["QCTY-SYH"]
	if o == nil || !o.ActiveOn(l.on(m, 8)) {
		return nil
	}
	if err := l.record(ctx, o, party.TypeBranchCommittee, workday(l.on(m, 8)), "20:00", "临时党支部委员会会议"); err != nil {
		return err
	}
	if err := l.record(ctx, o, party.TypeThemeDay, workday(l.on(m, 20)), "19:30", "赛场就是战场：党员先锋岗"); err != nil {
		return err
	}
	if m == time.April || m == time.July {
		if err := l.record(ctx, o, party.TypeBranchAssembly, workday(l.on(m, 25)), "19:30", "临时党支部党员大会"); err != nil {
			return err
		}
	}
	// The branch owes the year's 党课, 组织生活会 and 民主评议 (it exists for more than half
	// of it) and holds them before it ends.
	switch m {
	case time.April:
		return l.record(ctx, o, party.TypePartyLecture, workday(l.on(m, 10)), "19:30", "赛前动员专题党课")
	case time.September:
		if err := l.record(ctx, o, party.TypeOrgLife, workday(l.on(m, 22)), "19:30", "赛会总结暨组织生活会"); err != nil {
			return err
		}
		return l.record(ctx, o, party.TypeMemberReview, workday(l.on(m, 23)), "19:30", "民主评议党员")
	}
	return nil
}

// talk records a 谈心谈话 between the branch secretary and one member.
func (l *eventLoader) talk(ctx context.Context, o *party.Org, d party.Date) error {
	if !d.Before(l.today) {
		return nil
	}
	people, err := l.db.ExpectedAttendees(ctx, o.ID, party.TypeHeartTalk, d)
	if err != nil {
		return err
	}
	officers, err := l.db.Officers(ctx, o.ID)
	if err != nil {
		return err
	}
	var secretary int64
	for _, p := range officers {
		if p.Title == "书记" {
			secretary = p.MemberID
		}
	}
	if secretary == 0 || len(people) < 2 {
		return nil
	}
	other := people[l.rng.IntN(len(people))].MemberID
	for other == secretary {
		other = people[l.rng.IntN(len(people))].MemberID
	}
	e, err := l.event(ctx, o, party.TypeHeartTalk, d, "16:00", "支部书记与党员谈心谈话")
	if err != nil {
		return err
	}
	e.Content = "围绕思想、工作、生活情况交流，听取对支部工作的意见建议。"
	return l.save(ctx, e, []party.Attendance{{MemberID: secretary, Status: party.Present}, {MemberID: other, Status: party.Present}})
}

// record records an event of o with the usual attendance: most present, a few on leave.
func (l *eventLoader) record(ctx context.Context, o *party.Org, typ party.EventTypeCode, d party.Date, clock, title string) error {
	return l.recordWith(ctx, o, typ, d, clock, title, -1)
}

// recordWith records an event; missing >= 0 puts exactly that many expected attendees on
// leave or absent instead of the usual few.
func (l *eventLoader) recordWith(ctx context.Context, o *party.Org, typ party.EventTypeCode, d party.Date, clock, title string, missing int) error {
	if !d.Before(l.today) || !o.ActiveOn(d) {
		return nil
	}
	expected, err := l.db.ExpectedAttendees(ctx, o.ID, typ, d)
	if err != nil {
		return err
	}
	if len(expected) == 0 {
		return nil
	}
	var exceptions []party.Attendance
	for i, a := range expected {
		switch {
		case missing >= 0 && i < missing:
			if i%2 == 0 {
				exceptions = append(exceptions, party.Attendance{MemberID: a.MemberID, Status: party.Leave, Reason: "春节探亲"})
			} else {
				exceptions = append(exceptions, party.Attendance{MemberID: a.MemberID, Status: party.Absent})
			}
		case missing < 0 && l.rng.IntN(100) < 7:
			exceptions = append(exceptions, party.Attendance{MemberID: a.MemberID, Status: party.Leave, Reason: pick(l.rng, leaveReasons)})
		case missing < 0 && l.rng.IntN(100) < 1:
			exceptions = append(exceptions, party.Attendance{MemberID: a.MemberID, Status: party.Absent})
		}
	}
	e, err := l.event(ctx, o, typ, d, clock, title)
	if err != nil {
		return err
	}
	return l.save(ctx, e, exceptions)
}

// event prepares an event of o on day d with its host, recorder, place, minutes and the
// 第一议题 items o has not studied yet.
func (l *eventLoader) event(ctx context.Context, o *party.Org, typ party.EventTypeCode, d party.Date, clock, title string) (*party.Event, error) {
	start, err := party.At(d, clock)
	if err != nil {
		return nil, err
	}
	minutes := 90
	switch typ {
	case party.TypeCenterGroup, party.TypeDemocraticLife, party.TypeOrgLife:
		minutes = 180
	case party.TypeHeartTalk:
		minutes = 40
	case party.TypeNightSchool:
		minutes = 75
	}
	host, recorder, err := l.officers(ctx, o)
	if err != nil {
		return nil, err
	}
	place := places[o.Code]
	if place == "" {
		place = places["QCTY-JG"]
	}
	e := &party.Event{OrgID: o.ID, Type: typ, Title: title, StartAt: start, EndAt: start.Add(time.Duration(minutes) * time.Minute),
		Place: place, Host: host, Recorder: recorder}
	studies := typ == party.TypeLeadingGroup || typ == party.TypeCenterGroup || typ == party.TypeBranchCommittee ||
		typ == party.TypeThemeDay || typ == party.TypeBranchAssembly
	if studies {
		seen := l.studied[o.ID]
		if seen == nil {
			seen = map[int64]bool{}
			l.studied[o.ID] = seen
		}
		for _, t := range l.topics {
			if !seen[t.ID] && !l.skip[o.Code][t.ID] && !t.IssuedOn.AddDays(2).After(d) {
				seen[t.ID] = true
				e.TopicIDs = append(e.TopicIDs, t.ID)
			}
		}
	}
	e.Content = minutesFor(e, host, len(e.TopicIDs) > 0)
	return e, nil
}

// officers returns the host (书记, or 副书记) and the recorder (组织委员) of o's meetings.
func (l *eventLoader) officers(ctx context.Context, o *party.Org) (host, recorder string, err error) {
	list, err := l.db.Officers(ctx, o.ID)
	if err != nil {
		return "", "", err
	}
	if o.Kind == party.KindGroup {
		for _, p := range list {
			if p.Title == "党小组长" {
				return p.MemberName, p.MemberName, nil
			}
		}
	}
	by := map[string]string{}
	for _, p := range list {
		by[p.Title] = p.MemberName
	}
	host = by["书记"]
	if host == "" {
		host = by["副书记"]
	}
	recorder = by["组织委员"]
	if recorder == "" {
		recorder = by["委员"]
	}
	return host, recorder, nil
}

// minutesFor writes short minutes for e.
func minutesFor(e *party.Event, host string, topic bool) string {
	first := ""
	if topic {
		first = "首先以“第一议题”学习近期重要讲话和指示精神，"
	}
	switch e.Type {
	case party.TypeBranchCommittee:
		return fmt.Sprintf("会议由%s主持。%s研究本月党建工作安排，讨论党员教育管理和发展党员工作。", host, first)
	case party.TypeLeadingGroup:
		return fmt.Sprintf("会议由%s主持。%s研究部署全局重点工作和党风廉政建设工作。", host, first)
	case party.TypeCenterGroup:
		return fmt.Sprintf("集中学习由%s主持。%s班子成员逐一交流发言，结合分管工作谈体会、提举措。", host, first)
	case party.TypeDemocraticLife:
		return "会前广泛征求意见、开展谈心谈话；会上班子成员逐一对照检查，开展批评和自我批评，明确整改措施。"
	case party.TypeOrgLife, party.TypeMemberReview:
		return "党员逐一对照检查，开展批评和自我批评；按程序进行民主评议，评议结果不作排名。"
	case party.TypeNightSchool:
		return "集中学习党的理论和体育业务知识，交流学习体会。"
	}
	return fmt.Sprintf("活动由%s主持。%s全体党员参加学习讨论。", host, first)
}

// save records e with the given exceptions.
func (l *eventLoader) save(ctx context.Context, e *party.Event, exceptions []party.Attendance) error {
	if err := l.db.RecordEvent(ctx, e, exceptions); err != nil {
		return fmt.Errorf("record %s %s on %s: %w", e.Title, e.Type, e.Date(), err)
	}
	l.sum.Events++
	if e.Date().Month <= time.June {
		switch e.Type {
		case party.TypeCenterGroup:
			l.sum.CenterGroup++
		case party.TypeNightSchool:
			l.sum.NightSchool++
		}
	}
	return nil
}

// plans adds a monthly 主题党日 plan for every branch, materializes the next two months, and
// plans next week's 支部党员大会 of the 机关党支部.
func (l *eventLoader) plans(ctx context.Context) error {
	for _, code := range []string{"QCTY-JG", "QCTY-TX", "QCTY-XL", "QCTY-QM", "QCTY-CG", "QCTY-LT"} {
		o := l.orgs[code]
		if err := l.db.CreatePlan(ctx, &party.Plan{OrgID: o.ID, Type: party.TypeThemeDay, Title: "主题党日",
			Place: places[code], Frequency: party.PlanMonthly, Day: 15, StartTime: "14:30", Minutes: 90, FromOn: l.today}); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	n, err := l.db.MaterializePlans(ctx, l.today.AddDays(60))
	if err != nil {
		return fmt.Errorf("materialize: %w", err)
	}
	l.sum.Planned += n
	jg := l.orgs["QCTY-JG"]
	start, err := party.At(workday(l.today.AddDays(5)), "14:30")
	if err != nil {
		return err
	}
	host, _, err := l.officers(ctx, jg)
	if err != nil {
		return err
	}
	if err := l.db.PlanEvent(ctx, &party.Event{OrgID: jg.ID, Type: party.TypeBranchAssembly, Title: "支部党员大会：讨论接收预备党员",
		StartAt: start, EndAt: start.Add(90 * time.Minute), Place: places["QCTY-JG"], Host: host}); err != nil {
		return fmt.Errorf("plan assembly: %w", err)
	}
	l.sum.Planned++
	return nil
}
