package demo

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// CityCode is the code of a synthetic city's top organization, its 市委.
const CityCode = "QC"

// CityOptions sizes a synthetic city.
type CityOptions struct {
	// Branches is the number of 党支部 in the whole city.
	Branches int
	// Members is the number of members on the roster, spread unevenly over the branches.
	Members int
	// Seed makes the city reproducible: the same seed gives the same people.
	Seed uint64
}

// cityUnit is one of the organizations under the 市委.
type cityUnit struct {
	name   string // without the leading 中共
	kind   party.OrgKind
	weight float64 // share of the city's branches
	rural  bool    // a district or county: streets, communities and villages
}

// cityUnits are the 党委 and 党组 under the 市委, the districts and counties first: they hold
// most branches.
func cityUnits() []cityUnit {
	var out []cityUnit
	for _, d := range []string{"东湖区", "西岭区", "南江区", "北塘区", "青川新区"} {
		out = append(out, cityUnit{name: CityName + d + "委员会", kind: party.KindCommittee, weight: 4, rural: true})
	}
	for _, c := range []string{"临溪县", "白石县", "云台县", "安平县", "柳河县"} {
		out = append(out, cityUnit{name: c + "委员会", kind: party.KindCommittee, weight: 3, rural: true})
	}
	for _, b := range strings.Fields(`教育局 公安局 卫生健康委 交通运输局 民政局 财政局 人力资源和社会保障局 自然资源和规划局
		生态环境局 住房和城乡建设局 水利局 农业农村局 商务局 文化广电旅游局 应急管理局 审计局 市场监督管理局 统计局
		医疗保障局 体育局 林业局 城市管理局 司法局 科学技术局 工业和信息化局 发展和改革委 退役军人事务局 信访局
		机关事务管理局 民族宗教事务局`) {
		u := cityUnit{name: CityName + b + "党组", kind: party.KindLeadingGroup, weight: 1}
		switch b {
		case "教育局", "公安局", "卫生健康委", "交通运输局":
			u.name, u.kind, u.weight = CityName+b+"委员会", party.KindCommittee, 2
		}
		out = append(out, u)
	}
	return out
}

// branchKind is a kind of grass-roots unit with the posts its members hold.
type branchKind struct {
	suffix string // appended to a place name: 社区, 村, 中学 ...
	posts  []weighted
	older  bool // members skew older (villages, communities)
}

var (
	communityKind = branchKind{suffix: "社区", posts: []weighted{{"社区工作者", 4}, {"网格员", 2}, {"社区居民", 3}}, older: true}
	villageKind   = branchKind{suffix: "村", posts: []weighted{{"村民", 8}, {"村民委员会委员", 1}, {"村民小组长", 1}}, older: true}
	officeKind    = branchKind{posts: []weighted{{"科员", 4}, {"一级科员", 3}, {"四级主任科员", 2}, {"副科长", 2}, {"科长", 1}}}
	ruralKinds    = []branchKind{
		{suffix: "中学", posts: []weighted{{"教师", 6}, {"班主任", 2}, {"副校长", 1}}},
		{suffix: "小学", posts: []weighted{{"教师", 6}, {"班主任", 2}, {"副校长", 1}}},
		{suffix: "卫生院", posts: []weighted{{"医师", 4}, {"护士", 3}, {"药剂师", 1}}},
		{suffix: "农业服务中心", posts: []weighted{{"农技员", 4}, {"职工", 3}}},
	}
	bureauKinds = []branchKind{
		{suffix: "管理站", posts: []weighted{{"职工", 3}, {"专业技术人员", 3}, {"站长", 1}}},
		{suffix: "服务中心", posts: []weighted{{"职工", 3}, {"专业技术人员", 3}, {"副主任", 1}}},
		{suffix: "管理所", posts: []weighted{{"职工", 3}, {"工程师", 2}, {"所长", 1}}},
		{suffix: "执法大队", posts: []weighted{{"执法队员", 5}, {"中队长", 1}}},
	}
)

// Place-name characters: any first with any second makes a plausible, made-up place.
var (
	placeFirst  = []rune("东西南北新青长安平和兴福康宁永清河山石桥林花云金玉龙凤翠碧柳松梅桃")
	placeSecond = []rune("山湖河江岭坡湾港桥林塘溪庄园坪岗洲源泉峰口坝")
)

// cityNode is an organization of the city being built.
type cityNode struct {
	org    *party.Org
	parent *cityNode
	// For branches: members, party groups, work unit and posts of the members.
	size   int
	groups []*cityNode
	unit   string
	kind   branchKind
}

// city builds a synthetic city.
type city struct {
	db       *store.DB
	opt      CityOptions
	people   *people
	progress io.Writer
	start    time.Time
	levels   [5][]*cityNode // 市委, units, 党总支, 党支部, 党小组
}

// City builds a synthetic city in an empty database for scale tests: a 市委 over about forty
// 党委 and 党组, some 党总支, opt.Branches 党支部 with a few 党小组 each, and opt.Members members
// spread unevenly over the branches, every field filled like the demo bureau's. It writes
// through the store's bulk loader, in batches (a failure leaves the batches already written),
// and reports progress in English lines to progress (nil: none).
func City(ctx context.Context, db *store.DB, opt CityOptions, progress io.Writer) (*Summary, error) {
	if progress == nil {
		progress = io.Discard
	}
	if opt.Branches < 1 || opt.Members < opt.Branches {
		return nil, party.Errorf(party.EINVALID, "合成数据须至少有1个党支部，且每个党支部至少1名党员")
	}
	empty, err := db.Empty(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if !empty {
		return nil, party.Errorf(party.ECONFLICT, "数据库中已有组织数据，合成数据只能载入空数据库")
	}
	c := &city{db: db, opt: opt, progress: progress, start: time.Now(),
		people: newPeople(opt.Seed, party.Today(db.Now()), false)}
	c.plan()
	if err := c.loadOrgs(ctx); err != nil {
		return nil, fmt.Errorf("demo: city orgs: %w", err)
	}
	if err := c.loadMembers(ctx); err != nil {
		return nil, fmt.Errorf("demo: city members: %w", err)
	}
	if err := db.Analyze(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	root := c.levels[0][0].org
	sum := &Summary{TopCode: root.Code, TopName: root.Name}
	for _, l := range c.levels {
		sum.Orgs += len(l)
	}
	if sum.ByCategory, err = db.CountByCategory(ctx, root.ID); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	for _, n := range sum.ByCategory {
		sum.Members += n
	}
	sum.Elapsed = time.Since(c.start)
	fmt.Fprintf(progress, "city: done: %d orgs, %d members in %s\n", sum.Orgs, sum.Members, sum.Elapsed.Round(time.Millisecond))
	return sum, nil
}

// plan lays out the whole tree in memory: units, general branches, branches and their sizes,
// party groups.
func (c *city) plan() {
	r := c.people.rng
	root := &cityNode{org: &party.Org{Code: CityCode, Name: "中共" + CityName + "委员会", Kind: party.KindCommittee,
		FoundedOn: date("1950-03-01")}}
	c.levels[0] = []*cityNode{root}
	units := cityUnits()
	units = units[:min(len(units), max(1, c.opt.Branches/10))]
	weights := make([]float64, len(units))
	for i, u := range units {
		weights[i] = u.weight * (0.75 + r.Float64()/2)
	}
	perUnit := apportion(c.opt.Branches, weights, 1)
	sizes := c.branchSizes()
	next := 0
	for i, u := range units {
		unit := &cityNode{parent: root, org: &party.Org{Code: fmt.Sprintf("%s-%02d", CityCode, i+1), Name: "中共" + u.name,
			Kind: u.kind, FoundedOn: c.foundedOn()}}
		c.levels[1] = append(c.levels[1], unit)
		places := map[string]bool{}
		k := perUnit[i]
		// About a quarter of a larger unit's branches sit under 党总支 of four to ten branches.
		underGeneral := 0
		if k >= 12 {
			underGeneral = k / 4
		}
		var general *cityNode
		left := 0
		for j := 0; j < k; j++ {
			parent := unit
			if j < underGeneral {
				if left == 0 {
					general = &cityNode{parent: unit, org: &party.Org{Kind: party.KindGeneralBranch, FoundedOn: c.foundedOn(),
						Code: fmt.Sprintf("%s-Z%02d", unit.org.Code, len(c.levels[2])+1)}}
					general.org.Name = c.generalName(u, places, len(c.levels[2])+1)
					c.levels[2] = append(c.levels[2], general)
					left = 4 + r.IntN(7)
				}
				parent = general
				left--
			}
			b := &cityNode{parent: parent, size: sizes[next], org: &party.Org{Kind: party.KindBranch, FoundedOn: c.foundedOn(),
				Code: fmt.Sprintf("%s-%04d", unit.org.Code, j+1)}}
			next++
			c.nameBranch(b, u, parent != unit, places, j)
			c.levels[3] = append(c.levels[3], b)
			groups := 0
			switch {
			case b.size >= 25:
				groups = 3
			case b.size >= 15:
				groups = 2
			}
			for g := 1; g <= groups; g++ {
				grp := &cityNode{parent: b, org: &party.Org{Kind: party.KindGroup, FoundedOn: b.org.FoundedOn,
					Code: fmt.Sprintf("%s-%d", b.org.Code, g), Name: "第" + cnNumber(g) + "党小组"}}
				b.groups = append(b.groups, grp)
				c.levels[4] = append(c.levels[4], grp)
			}
		}
	}
	fmt.Fprintf(c.progress, "city: planned %d units, %d general branches, %d branches, %d party groups, %d members\n",
		len(c.levels[1]), len(c.levels[2]), len(c.levels[3]), len(c.levels[4]), c.opt.Members)
}

// foundedOn returns a made-up founding date well in the past.
func (c *city) foundedOn() party.Date {
	return c.people.between(date("1985-01-01"), c.people.today.AddYears(-2))
}

// place returns a made-up place name whose full name (with suffix) is new in the unit.
func (c *city) place(places map[string]bool, suffix string) string {
	r := c.people.rng
	for try := 0; ; try++ {
		p := string(pick(r, placeFirst)) + string(pick(r, placeSecond))
		if try > 20 {
			p += cnNumber(try)
		}
		if !places[p+suffix] {
			places[p+suffix] = true
			return p
		}
	}
}

func (c *city) generalName(u cityUnit, places map[string]bool, n int) string {
	if u.rural {
		return c.place(places, "街道党总支") + "街道党总支"
	}
	return "直属单位第" + cnNumber(n) + "党总支"
}

// nameBranch names branch b of unit u and chooses its kind; j is its index in the unit.
func (c *city) nameBranch(b *cityNode, u cityUnit, underGeneral bool, places map[string]bool, j int) {
	r := c.people.rng
	short := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(u.name, CityName), "委员会"), "党组")
	switch {
	case u.rural && underGeneral:
		b.kind = communityKind
	case u.rural && r.IntN(10) < 6:
		b.kind = villageKind
	case u.rural:
		b.kind = pick(r, ruralKinds)
	case j < 5:
		b.kind = officeKind
		b.org.Name = "机关第" + cnNumber(j+1) + "党支部"
		b.unit = "市" + short
		return
	default:
		b.kind = pick(r, bureauKinds)
	}
	p := c.place(places, b.kind.suffix)
	b.org.Name = p + b.kind.suffix + "党支部"
	b.unit = short + p + b.kind.suffix
	if !u.rural {
		b.unit = "市" + b.unit
	}
}

// branchSizes returns c.opt.Branches sizes adding up to c.opt.Members, from 5 to 60 when the
// average allows, most branches small and a few large.
func (c *city) branchSizes() []int {
	r := c.people.rng
	n, total := c.opt.Branches, c.opt.Members
	lo, hi := min(5, total/n), max(60, (total+n-1)/n)
	avg := float64(total) / float64(n)
	// lo + (hi-lo)·u^k has mean lo + (hi-lo)/(k+1): choose k to hit the average.
	k := math.Inf(1)
	if avg > float64(lo) {
		k = float64(hi-lo)/(avg-float64(lo)) - 1
	}
	sizes := make([]int, n)
	sum := 0
	for i := range sizes {
		sizes[i] = lo + int(float64(hi-lo)*math.Pow(r.Float64(), k)+0.5)
		sum += sizes[i]
	}
	for sum != total {
		i := r.IntN(n)
		switch {
		case sum < total && sizes[i] < hi:
			sizes[i]++
			sum++
		case sum > total && sizes[i] > lo:
			sizes[i]--
			sum--
		}
	}
	return sizes
}

// apportion splits total into len(weights) parts proportional to weights, each at least least,
// by largest remainder.
func apportion(total int, weights []float64, least int) []int {
	out := make([]int, len(weights))
	rest := total - least*len(weights)
	var sum float64
	for _, w := range weights {
		sum += w
	}
	type rem struct {
		i int
		f float64
	}
	rems := make([]rem, len(weights))
	given := 0
	for i, w := range weights {
		share := float64(rest) * w / sum
		out[i] = least + int(share)
		given += int(share)
		rems[i] = rem{i, share - math.Floor(share)}
	}
	for given < rest {
		best := 0
		for j := range rems {
			if rems[j].f > rems[best].f {
				best = j
			}
		}
		out[rems[best].i]++
		rems[best].f = -1
		given++
	}
	return out
}

// loadOrgs writes the tree level by level, so every parent has its id before its children.
func (c *city) loadOrgs(ctx context.Context) error {
	for level, nodes := range c.levels {
		orgs := make([]*party.Org, len(nodes))
		for i, n := range nodes {
			if n.parent != nil {
				n.org.ParentID = n.parent.org.ID
			}
			orgs[i] = n.org
		}
		if err := c.db.BulkCreateOrgs(ctx, orgs); err != nil {
			return err
		}
		fmt.Fprintf(c.progress, "city: level %d: %d orgs written, %s\n", level, len(orgs), time.Since(c.start).Round(time.Millisecond))
	}
	return nil
}

// memberBatch is how many members one bulk transaction writes.
const memberBatch = 20000

// loadMembers makes up the members branch by branch and writes them in batches.
func (c *city) loadMembers(ctx context.Context) error {
	batch := make([]*party.Member, 0, memberBatch)
	written := 0
	flush := func() error {
		if err := c.db.BulkCreateMembers(ctx, batch); err != nil {
			return err
		}
		written += len(batch)
		batch = batch[:0]
		fmt.Fprintf(c.progress, "city: members: %d/%d written, %s\n", written, c.opt.Members, time.Since(c.start).Round(time.Millisecond))
		return nil
	}
	r := c.people.rng
	for _, b := range c.levels[3] {
		for i := 0; i < b.size; i++ {
			want := person{minAge: 24, maxAge: 75, female: 40}
			switch {
			case r.IntN(100) < 4:
				want = person{minAge: 24, maxAge: 40, female: 50, probation: true}
			case b.kind.older:
				want.minAge = 35
			default:
				want.maxAge = 60
			}
			m := c.people.member(want)
			m.OrgID = b.org.ID
			if len(b.groups) > 0 {
				m.GroupID = b.groups[i%len(b.groups)].org.ID
			}
			m.UnitPost = b.unit + pickWeighted(r, b.kind.posts)
			batch = append(batch, m)
			if len(batch) == memberBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}
