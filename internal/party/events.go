package party

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// EventTypeCode is the stable key of an event type (活动类型) in the catalogue.
type EventTypeCode string

// The event types the catalogue starts with; the party office admin may add more.
const (
	TypeBranchAssembly  EventTypeCode = "branch_assembly"  // 支部党员大会
	TypeBranchCommittee EventTypeCode = "branch_committee" // 支部委员会
	TypeGroupMeeting    EventTypeCode = "group_meeting"    // 党小组会
	TypePartyLecture    EventTypeCode = "party_lecture"    // 党课
	TypeThemeDay        EventTypeCode = "theme_day"        // 主题党日
	TypeOrgLife         EventTypeCode = "org_life"         // 组织生活会
	TypeMemberReview    EventTypeCode = "member_review"    // 民主评议党员
	TypeHeartTalk       EventTypeCode = "heart_talk"       // 谈心谈话
	TypeDemocraticLife  EventTypeCode = "democratic_life"  // 民主生活会
	TypeLeadingGroup    EventTypeCode = "leading_group"    // 党组会
	TypeCenterGroup     EventTypeCode = "center_group"     // 理论学习中心组学习
	TypeNightSchool     EventTypeCode = "night_school"     // 夜校学习
	TypeTopicStudy      EventTypeCode = "topic_study"      // 专题学习
	TypeOther           EventTypeCode = "other"            // 其他活动
)

// Audience says who is expected at an event of a type (应到人员).
type Audience string

// The audiences.
const (
	// AudienceMembers expects the organization's members: a branch's roster, a party group's
	// members, a temporary branch's attached members, everyone in the subtree of a higher
	// organization.
	AudienceMembers Audience = "members"
	// AudienceCommittee expects the organization's officers in post on the day (its 班子):
	// a branch committee, the members of a 党组.
	AudienceCommittee Audience = "committee"
	// AudienceListed expects only the people the recorder lists (谈心谈话).
	AudienceListed Audience = "listed"
)

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool {
	return a == AudienceMembers || a == AudienceCommittee || a == AudienceListed
}

// EventCategory groups event types on pages and in statistics.
type EventCategory string

// The categories.
const (
	CategoryOrgLife EventCategory = "组织生活"
	CategoryStudy   EventCategory = "学习"
	CategoryOther   EventCategory = "其他"
)

// EventType is an entry of the event type catalogue, which is data: the office can extend it.
type EventType struct {
	Code     EventTypeCode
	Name     string
	Category EventCategory
	Audience Audience
	// Quorum means an event counts as held only with more than half of the expected
	// attendees present (支部委员会: more than half of the committee).
	Quorum bool
	// Study types carry 第一议题 items and study materials.
	Study  bool
	Sort   int
	Active bool
	// OrgKinds are the organization kinds that hold events of the type (支部委员会: branches;
	// 党小组会: party groups); empty, every kind does.
	OrgKinds []OrgKind
}

// AppliesTo reports whether an organization of kind k holds events of type t.
func (t *EventType) AppliesTo(k OrgKind) bool {
	if len(t.OrgKinds) == 0 {
		return true
	}
	for _, x := range t.OrgKinds {
		if x == k {
			return true
		}
	}
	return false
}

// KindsText names the organization kinds of t, joined by 、, or 各类组织 for every kind.
func (t *EventType) KindsText() string {
	if len(t.OrgKinds) == 0 {
		return "各类组织"
	}
	s := make([]string, len(t.OrgKinds))
	for i, k := range t.OrgKinds {
		s[i] = string(k)
	}
	return strings.Join(s, "、")
}

// CheckKinds validates kinds as the organization kinds of an event type, and returns them
// without repeats in display order (the order of OrgKinds).
func CheckKinds(kinds []OrgKind) ([]OrgKind, error) {
	for _, k := range kinds {
		if !k.Valid() {
			return nil, FieldErrorf(EINVALID, "org_kinds", "组织类别“%s”无效", k)
		}
	}
	var out []OrgKind
	for _, k := range OrgKinds {
		for _, x := range kinds {
			if x == k {
				out = append(out, k)
				break
			}
		}
	}
	return out, nil
}

// HeldBy returns the error for an event of type t recorded or planned for organization o
// of a kind that does not hold such events, or nil.
func (t *EventType) HeldBy(o *Org) error {
	if t.AppliesTo(o.Kind) {
		return nil
	}
	return FieldErrorf(EINVALID, "type", "“%s”是%s，不召开“%s”（该活动类型适用于%s）", o.Name, o.Kind, t.Name, t.KindsText())
}

// Validate checks t.
func (t *EventType) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Code == "" || len(t.Code) > 40 {
		return FieldErrorf(EINVALID, "code", "活动类型编码不能为空，且不超过40个字符")
	}
	for _, r := range t.Code {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return FieldErrorf(EINVALID, "code", "活动类型编码只能包含小写字母、数字和下划线")
		}
	}
	if err := checkText("name", "活动类型名称", t.Name, 40, true); err != nil {
		return err
	}
	switch t.Category {
	case CategoryOrgLife, CategoryStudy, CategoryOther:
	default:
		return FieldErrorf(EINVALID, "category", "活动类别应为组织生活、学习或其他")
	}
	if !t.Audience.Valid() {
		return FieldErrorf(EINVALID, "audience", "应到人员范围无效")
	}
	kinds, err := CheckKinds(t.OrgKinds)
	if err != nil {
		return err
	}
	t.OrgKinds = kinds
	return nil
}

// EventStatus is the state of an event.
type EventStatus string

// The event statuses.
const (
	EventPlanned   EventStatus = "计划"
	EventHeld      EventStatus = "已召开"
	EventCancelled EventStatus = "已取消"
)

// AttendanceStatus is how a member stood at an event.
type AttendanceStatus string

// The attendance statuses.
const (
	Present AttendanceStatus = "出席"
	Leave   AttendanceStatus = "请假"
	Absent  AttendanceStatus = "缺席"
)

// Valid reports whether s is a known attendance status.
func (s AttendanceStatus) Valid() bool { return s == Present || s == Leave || s == Absent }

// Attendance is one expected attendee of an event and how they stood.
type Attendance struct {
	MemberID int64
	Status   AttendanceStatus
	Reason   string // why on leave (请假事由); optional
	// Read-only, filled by queries.
	MemberName string
}

// Checkin is a member's sign-in by QR code (扫码签到) at a planned event, kept until the
// recorder completes the event and after, as the record of who signed in.
type Checkin struct {
	MemberID   int64
	MemberName string
	At         time.Time
}

// Guest is a person invited to sit in (列席) who is not an expected attendee.
type Guest struct {
	Name     string
	UnitPost string
}

// Event is one occurrence of organizational life or study (组织生活/学习活动).
type Event struct {
	ID       int64
	OrgID    int64
	Type     EventTypeCode
	Title    string // 主题
	Status   EventStatus
	StartAt  time.Time
	EndAt    time.Time
	Place    string
	Host     string // 主持人
	Recorder string // 记录人
	// Content holds the minutes (会议记录/内容) as plain text.
	Content   string
	Decisions string // 决议事项
	Materials string // 学习材料
	// CancelReason says why a cancelled event did not take place.
	CancelReason string
	PlanID       int64 // the recurring plan that created it, 0 when none

	// Attendance counts, kept with the event so lists and compliance need not read the rows.
	Expected, Present, Leave, Absent int
	// Counts is true when the event counts as held for compliance: held, and with a quorum
	// where the type requires one.
	Counts bool

	Attendance []Attendance
	Guests     []Guest
	TopicIDs   []int64

	CreatedAt time.Time
	UpdatedAt time.Time

	// Read-only, filled by queries.
	OrgCode  string
	OrgName  string
	TypeName string
	Topics   []FirstTopic
}

// Date returns the calendar day the event starts on, in the display zone.
func (e *Event) Date() Date { return Today(e.StartAt) }

// Limits on event fields.
const (
	MaxTitleLen    = 200
	MaxPlaceLen    = 100
	MaxMinutesLen  = 20000
	MaxGuests      = 200
	MaxEventLength = 7 * 24 * time.Hour
)

// Validate normalizes and checks the fields of e that do not depend on other records; now
// bounds held events, which cannot start in the future.
func (e *Event) Validate(now time.Time) error {
	e.Title = strings.TrimSpace(e.Title)
	e.Place = strings.TrimSpace(e.Place)
	e.Host = strings.TrimSpace(e.Host)
	e.Recorder = strings.TrimSpace(e.Recorder)
	e.CancelReason = strings.TrimSpace(e.CancelReason)
	if e.OrgID == 0 {
		return FieldErrorf(EINVALID, "org_id", "请选择组织")
	}
	if e.Type == "" {
		return FieldErrorf(EINVALID, "type", "请选择活动类型")
	}
	if err := checkText("title", "主题", e.Title, MaxTitleLen, true); err != nil {
		return err
	}
	if e.StartAt.IsZero() {
		return FieldErrorf(EINVALID, "start_at", "请填写开始时间")
	}
	if e.EndAt.IsZero() {
		return FieldErrorf(EINVALID, "end_at", "请填写结束时间")
	}
	if !e.EndAt.After(e.StartAt) {
		return FieldErrorf(EINVALID, "end_at", "结束时间应晚于开始时间")
	}
	if e.EndAt.Sub(e.StartAt) > MaxEventLength {
		return FieldErrorf(EINVALID, "end_at", "一次活动不能超过7天")
	}
	if y := e.StartAt.Year(); y < 1921 || y > 2200 {
		return FieldErrorf(EINVALID, "start_at", "开始时间无效")
	}
	for _, f := range []struct {
		field, label, value string
		max                 int
	}{
		{"place", "地点", e.Place, MaxPlaceLen},
		{"host", "主持人", e.Host, MaxPersonNameLen},
		{"recorder", "记录人", e.Recorder, MaxPersonNameLen},
		{"content", "会议记录", e.Content, MaxMinutesLen},
		{"decisions", "决议事项", e.Decisions, MaxTextLen},
		{"materials", "学习材料", e.Materials, MaxTextLen},
		{"cancel_reason", "取消原因", e.CancelReason, MaxTextLen},
	} {
		if err := checkText(f.field, f.label, f.value, f.max, false); err != nil {
			return err
		}
	}
	switch e.Status {
	case EventPlanned:
		e.CancelReason = ""
	case EventHeld:
		e.CancelReason = ""
		if e.StartAt.After(now) {
			return FieldErrorf(EINVALID, "start_at", "活动尚未开始，不能登记为已召开；可先登记为计划")
		}
	case EventCancelled:
		if e.CancelReason == "" {
			return FieldErrorf(EINVALID, "cancel_reason", "请填写取消原因")
		}
	default:
		return FieldErrorf(EINVALID, "status", "活动状态应为计划、已召开或已取消")
	}
	seen := make(map[int64]bool, len(e.Attendance))
	for i := range e.Attendance {
		a := &e.Attendance[i]
		a.Reason = strings.TrimSpace(a.Reason)
		if !a.Status.Valid() {
			return FieldErrorf(EINVALID, "attendance", "出勤情况应为出席、请假或缺席")
		}
		if a.Status != Leave {
			a.Reason = ""
		}
		if err := checkText("attendance", "请假事由", a.Reason, 200, false); err != nil {
			return err
		}
		if seen[a.MemberID] {
			return FieldErrorf(EINVALID, "attendance", "同一人在出勤名单中出现了两次")
		}
		seen[a.MemberID] = true
	}
	if len(e.Guests) > MaxGuests {
		return FieldErrorf(EINVALID, "guests", "列席人员不能超过%d人", MaxGuests)
	}
	for i := range e.Guests {
		g := &e.Guests[i]
		g.Name, g.UnitPost = strings.TrimSpace(g.Name), strings.TrimSpace(g.UnitPost)
		if err := checkText("guests", "列席人员姓名", g.Name, MaxPersonNameLen, true); err != nil {
			return err
		}
		if err := checkText("guests", "列席人员单位职务", g.UnitPost, MaxUnitPostLen, false); err != nil {
			return err
		}
	}
	return nil
}

// Tally counts the attendance rows into Expected, Present, Leave and Absent.
func (e *Event) Tally() {
	e.Expected, e.Present, e.Leave, e.Absent = len(e.Attendance), 0, 0, 0
	for _, a := range e.Attendance {
		switch a.Status {
		case Present:
			e.Present++
		case Leave:
			e.Leave++
		case Absent:
			e.Absent++
		}
	}
}

// Judge sets Counts: whether e, of type t, counts as held for compliance.
func (e *Event) Judge(t *EventType) {
	e.Counts = e.Status == EventHeld && (!t.Quorum || HasQuorum(e.Expected, e.Present))
}

// HasQuorum reports whether present people are more than half of expected ones.
func HasQuorum(expected, present int) bool { return expected > 0 && present*2 > expected }

// NotCountedReason explains, in Chinese, why a held event of type t does not count, or "".
func (e *Event) NotCountedReason(t *EventType) string {
	if e.Status != EventHeld || e.Counts {
		return ""
	}
	if t.Quorum {
		return "到会人数未超过应到人数的一半，不计为有效召开"
	}
	return ""
}

// AttendanceRate returns present/expected, or 0 when nobody was expected.
func AttendanceRate(expected, present int) float64 {
	if expected == 0 {
		return 0
	}
	return float64(present) / float64(expected)
}

// FirstTopic is an item of the 第一议题 ledger: an important speech or instruction to study
// first at meetings.
type FirstTopic struct {
	ID       int64
	Title    string
	IssuedOn Date // 发表/印发日期; zero when unknown
	Source   string
	Note     string
}

// Validate checks t.
func (t *FirstTopic) Validate() error {
	t.Title = strings.TrimSpace(t.Title)
	t.Source = strings.TrimSpace(t.Source)
	if err := checkText("title", "第一议题标题", t.Title, MaxTitleLen, true); err != nil {
		return err
	}
	if err := checkText("source", "出处", t.Source, MaxTitleLen, false); err != nil {
		return err
	}
	return checkText("note", "备注", t.Note, MaxTextLen, false)
}

// PlanFrequency is how often a recurring plan repeats.
type PlanFrequency string

// The plan frequencies.
const (
	PlanMonthly PlanFrequency = "month"
	PlanWeekly  PlanFrequency = "week"
)

// Plan is a recurring plan that creates planned events ("主题党日 on the 15th of every month").
type Plan struct {
	ID        int64
	OrgID     int64
	Type      EventTypeCode
	Title     string
	Place     string
	Host      string
	Frequency PlanFrequency
	// Day is the day of the month (1-31; a shorter month uses its last day) for monthly plans,
	// or the weekday (0 Sunday .. 6 Saturday) for weekly plans.
	Day int
	// StartTime is the local time of day, "14:30".
	StartTime string
	Minutes   int
	FromOn    Date
	UntilOn   Date // zero: open-ended
	Active    bool
	// Read-only.
	OrgName string
}

// Validate checks p.
func (p *Plan) Validate() error {
	p.Title, p.Place, p.Host = strings.TrimSpace(p.Title), strings.TrimSpace(p.Place), strings.TrimSpace(p.Host)
	if p.OrgID == 0 {
		return FieldErrorf(EINVALID, "org_id", "请选择组织")
	}
	if err := checkText("title", "主题", p.Title, MaxTitleLen, true); err != nil {
		return err
	}
	if err := checkText("place", "地点", p.Place, MaxPlaceLen, false); err != nil {
		return err
	}
	if err := checkText("host", "主持人", p.Host, MaxPersonNameLen, false); err != nil {
		return err
	}
	switch p.Frequency {
	case PlanMonthly:
		if p.Day < 1 || p.Day > 31 {
			return FieldErrorf(EINVALID, "day", "每月的日期应为1至31")
		}
	case PlanWeekly:
		if p.Day < 0 || p.Day > 6 {
			return FieldErrorf(EINVALID, "day", "星期应为0（星期日）至6（星期六）")
		}
	default:
		return FieldErrorf(EINVALID, "frequency", "重复频次应为每月或每周")
	}
	clock, err := ParseClock(p.StartTime)
	if err != nil {
		return &Error{Code: EINVALID, Field: "start_time", Message: ErrorMessage(err)}
	}
	// Stored as 14:30 however it was written (9:00, 0900, 9：00).
	p.StartTime = fmt.Sprintf("%02d:%02d", int(clock.Hours()), int(clock.Minutes())%60)
	if p.Minutes < 10 || p.Minutes > 24*60 {
		return FieldErrorf(EINVALID, "minutes", "时长应在10分钟至24小时之间")
	}
	if p.FromOn.IsZero() {
		return FieldErrorf(EINVALID, "from_on", "请填写开始日期")
	}
	if !p.UntilOn.IsZero() && p.UntilOn.Before(p.FromOn) {
		return FieldErrorf(EINVALID, "until_on", "结束日期不能早于开始日期")
	}
	return nil
}

// Occurrences returns the days in [from, to] (both inclusive) on which p falls, within its
// own date range.
func (p *Plan) Occurrences(from, to Date) []Date {
	if from.Before(p.FromOn) {
		from = p.FromOn
	}
	if !p.UntilOn.IsZero() && to.After(p.UntilOn) {
		to = p.UntilOn
	}
	var out []Date
	for d := from; !d.After(to); d = d.AddDays(1) {
		switch p.Frequency {
		case PlanWeekly:
			if int(d.Time().Weekday()) == p.Day {
				out = append(out, d)
			}
		case PlanMonthly:
			last := DaysIn(d.Year, d.Month)
			if d.Day == min(p.Day, last) {
				out = append(out, d)
			}
		}
	}
	return out
}

// At returns the instant of local clock time hh:mm on day d in the display zone.
func At(d Date, clock string) (time.Time, error) {
	c, err := ParseClock(clock)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Zone).Add(c), nil
}

// ParseClock reads a time of day written 14:30, 14：30 or 1430 and returns it as a duration
// after midnight.
func ParseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "：", ":"))
	var h, m int
	switch {
	case len(s) == 4 && isDigits(s):
		h, m = int(s[0]-'0')*10+int(s[1]-'0'), int(s[2]-'0')*10+int(s[3]-'0')
	case strings.Count(s, ":") >= 1:
		parts := strings.Split(s, ":")
		if len(parts) > 3 || !isDigits(parts[0]) || !isDigits(parts[1]) || len(parts[0]) > 2 || len(parts[1]) != 2 {
			return 0, Errorf(EINVALID, "“%s”不是有效时间，应写作 14:30", s)
		}
		h = atoiSmall(parts[0])
		m = atoiSmall(parts[1])
	default:
		return 0, Errorf(EINVALID, "“%s”不是有效时间，应写作 14:30", s)
	}
	if h > 23 || m > 59 {
		return 0, Errorf(EINVALID, "“%s”不是有效时间，应写作 14:30", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

func atoiSmall(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// DaysIn returns the number of days of month m in year y.
func DaysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// EventHeaders are the columns of the event ledger import sheet, in template order.
var EventHeaders = []string{"组织", "类型", "日期", "开始时间", "主题", "主持人", "记录人", "应到人数", "出席人员",
	"请假人员", "缺席人员", "第一议题"}

// EventRow is one parsed row of an event ledger import: the event as written, its
// organization and type by name, and attendees by name, resolved at import time.
type EventRow struct {
	Row      int
	Org      string
	Type     string
	On       Date
	Start    time.Duration // after midnight
	Title    string
	Host     string
	Recorder string
	Expected int
	Present  []string
	Leave    []NameReason
	Absent   []string
	Topics   []string
}

// NameReason is a name with an optional reason, as in 张三（出差）.
type NameReason struct {
	Name   string
	Reason string
}

// SplitNames splits a cell listing names separated by 、 ， , ； ; or line breaks, and drops
// blanks.
func SplitNames(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == '、' || r == '，' || r == ',' || r == '；' || r == ';' || r == '\n' || r == '\r'
	})
	out := make([]string, 0, len(f))
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// SplitNameReason reads 张三（出差） or 张三(出差) as name and reason; a name alone has no reason.
func SplitNameReason(s string) NameReason {
	s = strings.TrimSpace(s)
	for _, p := range [][2]string{{"（", "）"}, {"(", ")"}} {
		if i := strings.Index(s, p[0]); i > 0 && strings.HasSuffix(s, p[1]) {
			return NameReason{Name: strings.TrimSpace(s[:i]), Reason: strings.TrimSpace(s[i+len(p[0]) : len(s)-len(p[1])])}
		}
	}
	return NameReason{Name: s}
}

// ValidName reports whether s can be a person's name: not blank, short, no control characters.
func ValidName(s string) bool {
	return checkText("name", "姓名", s, MaxPersonNameLen, true) == nil && utf8.ValidString(s)
}

// EventLabel names an event for lists: its title, prefixed with its type unless the title
// already says it ("主题党日" rather than "主题党日：主题党日").
func EventLabel(typeName, title string) string {
	if typeName == "" || strings.Contains(title, typeName) {
		return title
	}
	return typeName + "：" + title
}
