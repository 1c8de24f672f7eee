// Package demo builds the demo bureau a fresh installation shows, modelled on the party
// organization of a city sports bureau, and synthetic cities for scale tests. Every person,
// name and number in it is made up.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// CityName is the made-up city of the demo bureau.
const CityName = "青川市"

// TopCode is the code of the demo bureau's top organization, its 党组.
const TopCode = "QCTY"

// demoSeed fixes the made-up people of the demo bureau, so every installation shows the same.
const demoSeed = 2022

// Summary counts what a load created, for the console to print.
type Summary struct {
	TopCode string
	TopName string
	// Orgs counts the active organizations of the tree, the top one included.
	Orgs int
	// Members counts the members on the roster (在册).
	Members    int
	ByCategory map[party.Category]int
	Positions  int
	// Attached counts the members attached to temporary branches.
	Attached int
	// TransferredOut counts the members who left the roster, their history kept.
	TransferredOut int
	Elapsed        time.Duration
}

// String describes the summary in one Chinese sentence, leaving out what is zero.
func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s（编码 %s），党组织%d个，在册党员%d名（正式党员%d名、预备党员%d名）", s.TopName, s.TopCode, s.Orgs,
		s.Members, s.ByCategory[party.Full], s.ByCategory[party.Probation])
	if s.Positions > 0 {
		fmt.Fprintf(&b, "，党内职务%d个", s.Positions)
	}
	if s.Attached > 0 {
		fmt.Fprintf(&b, "，编入临时党支部%d人", s.Attached)
	}
	if s.TransferredOut > 0 {
		fmt.Fprintf(&b, "，已转出%d人", s.TransferredOut)
	}
	return b.String()
}

// seat is a key person of a branch: the post they hold in their unit and the party posts
// that go with it.
type seat struct {
	post           string // 职务, appended to the unit's name
	group          int    // 1-based party group of the branch, 0 for none
	minAge, maxAge int
	female         int // chance in percent
	// titles are party posts: "书记" in the branch, "党组:委员" in the 党组, "党小组长" in the group.
	titles []string
	// games is the post in the temporary branch of the provincial games: "" not attached,
	// "成员" attached without a post.
	games string
}

// groupSpec is a party group of the 机关党支部 and the departments (科室) it gathers.
type groupSpec struct {
	depts []string
}

// branchSpec describes one branch of the demo bureau.
type branchSpec struct {
	code, name string
	founded    string
	// unit is the work unit (工作单位) that starts every member's unit/post.
	unit   string
	groups []groupSpec
	seats  []seat
	// The other members: their number, posts, ages and share of women.
	others         int
	posts          []weighted
	minAge, maxAge int
	female         int
	probation      int // 预备党员 among the others
	attach         int // others attached to the games' temporary branch
}

// bureau is the demo bureau: the seed report's sports bureau, in a made-up city.
var bureau = []branchSpec{
	{
		code: "QCTY-JG", name: "机关党支部", founded: "2002-03-20", unit: "市体育局",
		groups: []groupSpec{{[]string{"办公室", "人事科", "计划财务科"}}, {[]string{"群众体育科", "竞技体育科"}},
			{[]string{"青少年体育科", "体育产业科", "政策法规科"}}},
		seats: []seat{
			{post: "党组书记、局长", group: 1, minAge: 48, maxAge: 57, female: 20, titles: []string{"党组:书记"}},
			{post: "党组成员、副局长", group: 2, minAge: 45, maxAge: 56, female: 20, titles: []string{"党组:委员", "书记"}},
			{post: "党组成员、副局长", group: 3, minAge: 42, maxAge: 54, female: 50, titles: []string{"党组:委员"}},
			{post: "办公室主任", group: 1, minAge: 38, maxAge: 50, female: 30, titles: []string{"副书记"}},
			{post: "人事科科长", group: 1, minAge: 36, maxAge: 50, female: 50, titles: []string{"组织委员"}},
			{post: "群众体育科科长", group: 2, minAge: 35, maxAge: 50, female: 40, titles: []string{"宣传委员"}},
			{post: "计划财务科科长", group: 1, minAge: 35, maxAge: 52, female: 60, titles: []string{"纪检委员"}},
			{post: "办公室副主任", group: 1, minAge: 32, maxAge: 45, female: 50, titles: []string{"党小组长"}},
			{post: "竞技体育科科长", group: 2, minAge: 36, maxAge: 50, female: 30, titles: []string{"党小组长"}, games: "书记"},
			{post: "青少年体育科科长", group: 3, minAge: 35, maxAge: 50, female: 50, titles: []string{"党小组长"}},
		},
		others: 16, minAge: 24, maxAge: 58, female: 45, probation: 2, attach: 1,
		posts: []weighted{{"科员", 4}, {"一级科员", 3}, {"四级主任科员", 3}, {"三级主任科员", 2}, {"副科长", 3}},
	},
	{
		code: "QCTY-TX", name: "市体育运动学校党支部", founded: "2003-05-12", unit: "市体育运动学校",
		seats: []seat{
			{post: "校长", minAge: 45, maxAge: 56, female: 30, titles: []string{"书记"}},
			{post: "副校长", minAge: 40, maxAge: 54, female: 40, titles: []string{"副书记"}, games: "副书记"},
			{post: "教务科科长", minAge: 35, maxAge: 52, female: 50, titles: []string{"组织委员"}},
			{post: "办公室主任", minAge: 35, maxAge: 52, female: 50, titles: []string{"宣传委员"}},
			{post: "学生科科长", minAge: 35, maxAge: 52, female: 40, titles: []string{"纪检委员"}},
		},
		others: 11, minAge: 24, maxAge: 58, female: 45, probation: 1, attach: 2,
		posts: []weighted{{"教师", 4}, {"教练员", 4}, {"班主任", 2}, {"科员", 1}, {"校医", 1}},
	},
	{
		code: "QCTY-XL", name: "市体育训练中心党支部", founded: "2003-05-12", unit: "市体育训练中心",
		seats: []seat{
			{post: "主任", minAge: 45, maxAge: 56, female: 20, titles: []string{"党组:委员", "书记"}},
			{post: "副主任", minAge: 40, maxAge: 54, female: 30, titles: []string{"副书记"}, games: "组织委员"},
			{post: "训练科科长", minAge: 35, maxAge: 52, female: 30, titles: []string{"组织委员"}, games: "成员"},
			{post: "科研医务科科长", minAge: 35, maxAge: 52, female: 50, titles: []string{"宣传委员"}},
			{post: "综合科科长", minAge: 35, maxAge: 52, female: 50, titles: []string{"纪检委员"}},
		},
		others: 11, minAge: 24, maxAge: 58, female: 35, probation: 2, attach: 3,
		posts: []weighted{{"教练员", 6}, {"领队", 1}, {"队医", 1}, {"科研人员", 1}, {"科员", 1}},
	},
	{
		code: "QCTY-QM", name: "市全民健身服务中心党支部", founded: "2010-09-01", unit: "市全民健身服务中心",
		seats: []seat{
			{post: "主任", minAge: 42, maxAge: 56, female: 40, titles: []string{"书记"}},
			{post: "副主任", minAge: 38, maxAge: 54, female: 50, titles: []string{"副书记"}},
			{post: "活动部部长", minAge: 32, maxAge: 50, female: 50, titles: []string{"组织委员"}},
			{post: "培训部部长", minAge: 32, maxAge: 50, female: 50, titles: []string{"宣传委员"}},
			{post: "办公室主任", minAge: 32, maxAge: 50, female: 60, titles: []string{"纪检委员"}},
		},
		others: 5, minAge: 24, maxAge: 55, female: 50, attach: 1,
		posts: []weighted{{"社会体育指导员", 3}, {"科员", 2}, {"培训专员", 1}},
	},
	{
		code: "QCTY-CG", name: "市体育场馆管理中心党支部", founded: "2008-11-18", unit: "市体育场馆管理中心",
		seats: []seat{
			{post: "主任", minAge: 42, maxAge: 56, female: 20, titles: []string{"书记"}},
			{post: "副主任", minAge: 38, maxAge: 54, female: 30, titles: []string{"副书记"}},
			{post: "运营部部长", minAge: 32, maxAge: 50, female: 40, titles: []string{"组织委员"}},
			{post: "工程设备部部长", minAge: 32, maxAge: 52, female: 10, titles: []string{"宣传委员"}},
			{post: "安全保卫部部长", minAge: 32, maxAge: 52, female: 10, titles: []string{"纪检委员"}},
		},
		others: 7, minAge: 24, maxAge: 58, female: 35, probation: 1, attach: 1,
		posts: []weighted{{"场馆管理员", 3}, {"工程师", 2}, {"会计", 1}, {"科员", 2}},
	},
	{
		code: "QCTY-LT", name: "离退休干部党支部", founded: "2004-06-25", unit: "",
		seats: []seat{
			{post: "市体育局原副局长（已退休）", minAge: 64, maxAge: 72, female: 20, titles: []string{"书记"}},
			{post: "市体育局原办公室主任（已退休）", minAge: 62, maxAge: 70, female: 40, titles: []string{"副书记"}},
			{post: "市体育运动学校原副校长（已退休）", minAge: 62, maxAge: 72, female: 40, titles: []string{"组织委员"}},
			{post: "市体育局原群众体育科科长（已退休）", minAge: 62, maxAge: 72, female: 50, titles: []string{"宣传委员"}},
			{post: "市体育训练中心原副主任（已退休）", minAge: 62, maxAge: 74, female: 30, titles: []string{"纪检委员"}},
		},
		others: 9, minAge: 61, maxAge: 75, female: 40,
		posts: []weighted{{"市体育局原科员（已退休）", 2}, {"市体育训练中心原教练员（已退休）", 3},
			{"市体育运动学校原教师（已退休）", 3}, {"市体育局原副科长（已退休）", 1}},
	},
}

// builder loads the demo bureau through the store's ordinary, audited methods.
type builder struct {
	db     *store.DB
	today  party.Date
	people *people
	sum    Summary
}

// Load builds the demo bureau in an empty database through the store's ordinary methods, so
// every record has its audit row. today must not be after the store clock's day: the store
// refuses transfers dated in the future.
func Load(ctx context.Context, db *store.DB, today party.Date) (*Summary, error) {
	start := time.Now()
	empty, err := db.Empty(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if !empty {
		return nil, party.Errorf(party.ECONFLICT, "数据库中已有组织数据，示例数据只能载入空数据库")
	}
	b := &builder{db: db, today: today, people: newPeople(demoSeed, today, true)}
	if err := b.load(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	b.sum.Elapsed = time.Since(start)
	return &b.sum, nil
}

// date parses a fixed date of the demo.
func date(s string) party.Date {
	d, err := party.ParseDate(s)
	if err != nil {
		panic("demo: bad date " + s)
	}
	return d
}

// thisYear returns month/day of the current year, but never after today.
func (b *builder) thisYear(month time.Month, day int) party.Date {
	return minDate(party.Date{Year: b.today.Year, Month: month, Day: day}, b.today)
}

// branchState is a branch being built: its organization, groups and members.
type branchState struct {
	spec   *branchSpec
	org    *party.Org
	groups []*party.Org
	seats  []*party.Member
	others []*party.Member
}

func (b *builder) org(ctx context.Context, o *party.Org) (*party.Org, error) {
	if err := b.db.CreateOrg(ctx, o); err != nil {
		return nil, fmt.Errorf("create %s: %w", o.Name, err)
	}
	return o, nil
}

func (b *builder) load(ctx context.Context) error {
	top, err := b.org(ctx, &party.Org{Code: TopCode, Name: "中共" + CityName + "体育局党组", Kind: party.KindLeadingGroup,
		FoundedOn: date("2001-12-28"), Note: "局党组，领导本局及直属单位党的建设工作"})
	if err != nil {
		return err
	}
	b.sum.TopCode, b.sum.TopName = top.Code, top.Name
	var branches []*branchState
	for i := range bureau {
		bs, err := b.branch(ctx, &bureau[i], top)
		if err != nil {
			return err
		}
		branches = append(branches, bs)
	}
	games, err := b.org(ctx, &party.Org{Code: "QCTY-SYH", Name: "第十六届省运会临时党支部", Kind: party.KindTempBranch,
		ParentID: top.ID, FoundedOn: b.thisYear(time.March, 1), StartOn: b.thisYear(time.March, 1),
		EndOn: party.Date{Year: b.today.Year, Month: time.September, Day: 30},
		Note:  "服务保障本市代表团备战参赛，赛事结束后撤销"})
	if err != nil {
		return err
	}
	if err := b.officers(ctx, top, games, branches); err != nil {
		return err
	}
	if err := b.attach(ctx, games, branches); err != nil {
		return err
	}
	if err := b.transfers(ctx, branches); err != nil {
		return err
	}
	return b.count(ctx, top)
}

// branch creates a branch, its party groups and its members.
func (b *builder) branch(ctx context.Context, spec *branchSpec, top *party.Org) (*branchState, error) {
	o, err := b.org(ctx, &party.Org{Code: spec.code, Name: spec.name, Kind: party.KindBranch, ParentID: top.ID,
		FoundedOn: date(spec.founded)})
	if err != nil {
		return nil, err
	}
	bs := &branchState{spec: spec, org: o}
	for i, g := range spec.groups {
		name := fmt.Sprintf("第%s党小组（%s）", cnNumber(i+1), strings.Join(g.depts, "、"))
		grp, err := b.org(ctx, &party.Org{Code: fmt.Sprintf("%s-%d", spec.code, i+1), Name: name, Kind: party.KindGroup,
			ParentID: o.ID, FoundedOn: date("2019-04-10")})
		if err != nil {
			return nil, err
		}
		bs.groups = append(bs.groups, grp)
	}
	officersSince := b.today.AddYears(-5)
	for _, s := range spec.seats {
		m := b.people.member(person{minAge: s.minAge, maxAge: s.maxAge, female: s.female, joinedBy: officersSince})
		m.UnitPost = spec.unit + s.post
		if s.group > 0 {
			m.GroupID = bs.groups[s.group-1].ID
		}
		if err := b.member(ctx, o, m); err != nil {
			return nil, err
		}
		bs.seats = append(bs.seats, m)
	}
	for i := 0; i < spec.others; i++ {
		want := person{minAge: spec.minAge, maxAge: spec.maxAge, female: spec.female}
		if i >= spec.others-spec.probation {
			// 预备党员 are young: most join the party in their twenties or early thirties.
			want = person{minAge: 24, maxAge: 32, female: spec.female, probation: true}
		}
		m := b.people.member(want)
		post := pickWeighted(b.people.rng, spec.posts)
		m.UnitPost = spec.unit + post
		if len(bs.groups) > 0 {
			g := i % len(bs.groups)
			m.GroupID = bs.groups[g].ID
			m.UnitPost = spec.unit + pick(b.people.rng, spec.groups[g].depts) + post
		}
		if err := b.member(ctx, o, m); err != nil {
			return nil, err
		}
		bs.others = append(bs.others, m)
	}
	return bs, nil
}

func (b *builder) member(ctx context.Context, branch *party.Org, m *party.Member) error {
	m.OrgID = branch.ID
	if err := b.db.CreateMember(ctx, m); err != nil {
		return fmt.Errorf("create member %s of %s: %w", m.Name, branch.Name, err)
	}
	return nil
}

// officers gives every seat its party posts: the 党组, the branch committees, the group
// leaders and the committee of the temporary branch.
func (b *builder) officers(ctx context.Context, top, games *party.Org, branches []*branchState) error {
	groupTerm := date(fmt.Sprintf("%d-03-15", b.today.Year-2))
	for _, bs := range branches {
		term := date(fmt.Sprintf("%d-06-28", b.today.Year-2))
		for i, s := range bs.spec.seats {
			m := bs.seats[i]
			for _, t := range s.titles {
				p := &party.Position{MemberID: m.ID, OrgID: bs.org.ID, Title: t, StartOn: term}
				switch {
				case strings.HasPrefix(t, "党组:"):
					p.OrgID, p.Title, p.StartOn = top.ID, strings.TrimPrefix(t, "党组:"), date(fmt.Sprintf("%d-12-20", b.today.Year-3))
				case t == "党小组长":
					p.OrgID, p.StartOn = m.GroupID, groupTerm
				}
				if err := b.position(ctx, p, m); err != nil {
					return err
				}
			}
		}
	}
	for _, bs := range branches {
		for i, s := range bs.spec.seats {
			if s.games == "" || s.games == "成员" {
				continue
			}
			if err := b.position(ctx, &party.Position{MemberID: bs.seats[i].ID, OrgID: games.ID, Title: s.games,
				StartOn: games.StartOn}, bs.seats[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) position(ctx context.Context, p *party.Position, m *party.Member) error {
	if err := b.db.AddPosition(ctx, p); err != nil {
		return fmt.Errorf("add post %s for %s: %w", p.Title, m.Name, err)
	}
	b.sum.Positions++
	return nil
}

// attach attaches the seats marked for the games and some full members of each branch to
// the temporary branch, without their leaving their own branch.
func (b *builder) attach(ctx context.Context, games *party.Org, branches []*branchState) error {
	var who []*party.Member
	for _, bs := range branches {
		for i, s := range bs.spec.seats {
			if s.games != "" {
				who = append(who, bs.seats[i])
			}
		}
		n := 0
		for _, m := range bs.others {
			if n < bs.spec.attach && m.Category == party.Full {
				who = append(who, m)
				n++
			}
		}
	}
	for _, m := range who {
		if err := b.db.Attach(ctx, &party.TempAttachment{MemberID: m.ID, OrgID: games.ID}); err != nil {
			return fmt.Errorf("attach %s: %w", m.Name, err)
		}
		b.sum.Attached++
	}
	return nil
}

// transfers records this year's 组织关系转接: one member transferred out of the bureau, one
// transferred in, and one moved between two of its branches.
func (b *builder) transfers(ctx context.Context, branches []*branchState) error {
	byCode := map[string]*branchState{}
	for _, bs := range branches {
		byCode[bs.spec.code] = bs
	}
	// Out: a coach of the training centre who left for another city's bureau.
	xl := byCode["QCTY-XL"]
	out := b.people.member(person{minAge: 28, maxAge: 45, female: 30})
	out.UnitPost = xl.spec.unit + "教练员"
	if err := b.member(ctx, xl.org, out); err != nil {
		return err
	}
	if _, err := b.db.TransferOut(ctx, out.ID, b.thisYear(time.April, 15), "中共云州市体育局机关党支部", "工作调动"); err != nil {
		return fmt.Errorf("transfer out %s: %w", out.Name, err)
	}
	b.sum.TransferredOut++
	// In: a civil servant who came from another city's bureau.
	jg := byCode["QCTY-JG"]
	in := b.people.member(person{minAge: 28, maxAge: 40, female: 50})
	in.OrgID, in.GroupID = jg.org.ID, jg.groups[1].ID
	in.UnitPost = jg.spec.unit + "竞技体育科一级科员"
	if err := b.db.TransferInMember(ctx, in, b.thisYear(time.March, 10), "中共云州市文化广电旅游局机关党支部", "公务员调任"); err != nil {
		return fmt.Errorf("transfer in %s: %w", in.Name, err)
	}
	// Within: a member of the fitness centre who moved to the venue centre.
	qm, cg := byCode["QCTY-QM"], byCode["QCTY-CG"]
	mover := qm.others[len(qm.others)-1]
	moved, err := b.db.MoveMember(ctx, mover.ID, cg.org.ID, 0, b.thisYear(time.May, 20), "工作调动")
	if err != nil {
		return fmt.Errorf("move %s: %w", mover.Name, err)
	}
	moved.UnitPost = cg.spec.unit + "科员"
	if err := b.db.UpdateMember(ctx, moved); err != nil {
		return fmt.Errorf("update %s: %w", moved.Name, err)
	}
	return nil
}

// count fills the summary from the database.
func (b *builder) count(ctx context.Context, top *party.Org) error {
	orgs, err := b.db.ListOrgs(ctx, store.OrgFilter{Root: top.ID})
	if err != nil {
		return err
	}
	b.sum.Orgs = len(orgs)
	by, err := b.db.CountByCategory(ctx, top.ID)
	if err != nil {
		return err
	}
	b.sum.ByCategory = by
	for _, n := range by {
		b.sum.Members += n
	}
	return nil
}
