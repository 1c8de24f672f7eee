package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Sheet is the name of the worksheet WriteXLSX writes.
const Sheet = "审计记录"

// Headers are the column headers of the exported trail, in order.
var Headers = [...]string{"时间", "用户", "来源地址", "操作", "对象类型", "对象编号", "组织编号", "结果", "变更内容"}

// columnWidths are the widths of Headers' columns, in characters.
var columnWidths = [...]float64{20, 16, 18, 12, 14, 10, 10, 8, 80}

// WriteXLSX writes entries as an xlsx workbook of one sheet, times in the display zone and
// every text cell escaped against formula injection.
func WriteXLSX(w io.Writer, entries []store.AuditEntry) error {
	s, err := newSheetWriter()
	if err != nil {
		return err
	}
	defer s.close()
	for _, e := range entries {
		if err := s.add(e); err != nil {
			return err
		}
	}
	return s.finish(w)
}

// Export writes the audit rows matching f (every page of them, newest first, streamed) as an
// xlsx workbook, records the export in the trail itself, and returns how many rows it wrote.
// f's Offset, Limit and BeforeID are its own.
func Export(ctx context.Context, db *store.DB, f store.AuditFilter, w io.Writer) (int, error) {
	s, err := newSheetWriter()
	if err != nil {
		return 0, err
	}
	defer s.close()
	f.Offset, f.Limit, f.BeforeID = 0, store.MaxAuditPage, 0
	n := 0
	for {
		page, _, err := db.SearchAudit(ctx, f)
		if err != nil {
			return 0, fmt.Errorf("audit: export: %w", err)
		}
		for _, e := range page {
			if err := s.add(e); err != nil {
				return 0, err
			}
		}
		n += len(page)
		if len(page) < f.Limit {
			break
		}
		f.BeforeID = page[len(page)-1].ID
	}
	if err := s.finish(w); err != nil {
		return 0, err
	}
	detail := map[string]any{"rows": n}
	if !f.From.IsZero() {
		detail["from"] = f.From.In(party.Zone).Format("2006-01-02 15:04:05")
	}
	if !f.To.IsZero() {
		detail["to"] = f.To.In(party.Zone).Format("2006-01-02 15:04:05")
	}
	if err := db.RecordExport(ctx, store.ObjAudit, 0, detail); err != nil {
		return 0, fmt.Errorf("audit: record export: %w", err)
	}
	return n, nil
}

// sheetWriter streams rows into a one-sheet workbook.
type sheetWriter struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

func newSheetWriter() (*sheetWriter, error) {
	f := excelize.NewFile()
	s := &sheetWriter{f: f, row: 1}
	if err := f.SetSheetName(f.GetSheetName(0), Sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: name sheet: %w", err)
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
	})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: header style: %w", err)
	}
	if s.sw, err = f.NewStreamWriter(Sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: stream: %w", err)
	}
	cells := make([]any, len(Headers))
	for i, h := range Headers {
		if err := s.sw.SetColWidth(i+1, i+1, columnWidths[i]); err != nil {
			f.Close()
			return nil, fmt.Errorf("audit: column width: %w", err)
		}
		cells[i] = excelize.Cell{StyleID: header, Value: h}
	}
	panes := &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
	if err := s.sw.SetPanes(panes); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: freeze header: %w", err)
	}
	if err := s.sw.SetRow("A1", cells, excelize.RowOpts{Height: 20}); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: header row: %w", err)
	}
	return s, nil
}

// add appends one entry as a row.
func (s *sheetWriter) add(e store.AuditEntry) error {
	s.row++
	result := "成功"
	if !e.OK {
		result = "失败"
	}
	cells := []any{
		e.At.In(party.Zone).Format("2006-01-02 15:04:05"),
		escapeCell(e.Username),
		escapeCell(e.Source),
		escapeCell(ActionLabel(e.Action)),
		escapeCell(ObjectLabel(e.ObjectType)),
		idCell(e.ObjectID),
		idCell(e.OrgID),
		result,
		escapeCell(DetailText(e.ObjectType, e.Detail)),
	}
	ref, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return fmt.Errorf("audit: row %d: %w", s.row, err)
	}
	if err := s.sw.SetRow(ref, cells); err != nil {
		return fmt.Errorf("audit: row %d: %w", s.row, err)
	}
	return nil
}

// finish writes the workbook to w.
func (s *sheetWriter) finish(w io.Writer) error {
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("audit: flush: %w", err)
	}
	if err := s.f.Write(w); err != nil {
		return fmt.Errorf("audit: write workbook: %w", err)
	}
	return nil
}

func (s *sheetWriter) close() { s.f.Close() }

// idCell leaves a cell empty for "no object".
func idCell(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// escapeCell guards a text cell against formula injection: a value a spreadsheet could take
// for a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe.
func escapeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// actions are the audit actions with their Chinese names, in the order the audit page offers
// them. Every action the store writes has one: TestEveryAuditedNameHasALabel fails otherwise.
var actions = []struct{ code, label string }{
	// Accounts.
	{store.ActSignIn, "登录"},
	{store.ActSignOut, "退出登录"},
	{store.ActLockout, "锁定账户"},
	{store.ActUnlock, "解除锁定"},
	{store.ActPassword, "设置密码"},
	{store.ActSecondFactor, "双因素认证"},
	{store.ActGrant, "授予角色"},
	{store.ActRevoke, "撤销授权"},
	{store.ActDisable, "停用账户"},
	{store.ActEnable, "启用账户"},
	{store.ActEndSessions, "结束登录"},
	// Records.
	{store.ActCreate, "新增"},
	{store.ActUpdate, "修改"},
	{store.ActMove, "调整隶属关系"},
	{store.ActDissolve, "撤销"},
	{store.ActTransfer, "组织关系转接"},
	{store.ActImport, "导入"},
	{store.ActExport, "导出"},
	{store.ActUnmask, "查看敏感信息"},
	{store.ActDelete, "删除"},
	{store.ActPurge, "清理审计记录"},
	// Organizational life.
	{store.ActEventComplete, "登记召开"},
	{store.ActEventCancel, "取消活动"},
	{store.ActEventAttendance, "登记出勤"},
	{store.ActEventCheckIn, "扫码签到"},
	{store.ActMaterialize, "生成计划活动"},
}

// actionLabels indexes actions by code.
var actionLabels = func() map[string]string {
	m := make(map[string]string, len(actions))
	for _, a := range actions {
		m[a.code] = a.label
	}
	return m
}()

// Actions returns the codes of every audit action, in the order the audit page offers them.
func Actions() []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = a.code
	}
	return out
}

// ActionLabel returns the Chinese name of an audit action, or the action itself when unknown.
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}

// ObjectLabel returns the Chinese name of an audited object type, or the type itself when
// unknown. Every object type the store writes has one, likewise.
func ObjectLabel(objectType string) string {
	switch objectType {
	case store.ObjOrg:
		return "党组织"
	case store.ObjMember:
		return "党员"
	case store.ObjPosition:
		return "党内职务"
	case store.ObjAttachment:
		return "临时党支部编入"
	case store.ObjAudit:
		return "审计记录"
	case store.ObjCompliance:
		return "组织生活落实情况"
	// Accounts.
	case store.ObjUser:
		return "账户"
	case store.ObjToken:
		return "访问令牌"
	case store.ObjSettings:
		return "安全策略"
	// Organizational life.
	case store.ObjEvent:
		return "组织生活"
	case store.ObjEventType:
		return "活动类型"
	case store.ObjRule:
		return "组织生活规则"
	case store.ObjFirstTopic:
		return "第一议题"
	case store.ObjEventPlan:
		return "活动计划"
	case store.ObjEventFile:
		return "活动附件"
	case store.ObjNotifyChannel:
		return "通知渠道"
	case store.ObjNotifyDelivery:
		return "通知发送记录"
	case store.ObjCalendarFeed:
		return "日历订阅链接"
	}
	return objectType
}

// fieldLabel returns the Chinese name of a field named in an audit detail, or the name itself.
func fieldLabel(field string) string {
	switch field {
	case "name":
		return "名称"
	case "code":
		return "编码"
	case "kind":
		return "类别"
	case "path":
		return "组织路径"
	case "parent_id":
		return "上级组织编号"
	case "founded_on":
		return "成立日期"
	case "dissolved_on":
		return "撤销日期"
	case "dissolve_note":
		return "撤销说明"
	case "start_on":
		return "开始日期"
	case "end_on":
		return "结束日期"
	case "note":
		return "备注"
	case "gender":
		return "性别"
	case "ethnicity":
		return "民族"
	case "birth_date":
		return "出生日期"
	case "id_number":
		return "身份证号"
	case "phone":
		return "手机号码"
	case "education":
		return "学历"
	case "unit_post":
		return "工作单位及职务"
	case "joined_on":
		return "入党日期"
	case "full_on":
		return "转正日期"
	case "category":
		return "人员类别"
	case "status":
		return "状态"
	case "left_on":
		return "离开日期"
	case "org_id":
		return "所在党支部编号"
	case "group_id":
		return "党小组编号"
	case "member":
		return "党员"
	case "title":
		return "职务"
	case "on":
		return "日期"
	case "from_org_id":
		return "转出组织编号"
	case "to_org_id":
		return "转入组织编号"
	case "counterpart":
		return "对方组织"
	case "rows":
		return "行数"
	case "created":
		return "新增"
	case "updated":
		return "更新"
	case "unchanged":
		return "无变化"
	case "masked":
		return "脱敏"
	case "from":
		return "起始时间"
	case "to":
		return "截止时间"
	case "before":
		return "清理此前记录"
	case "through_id":
		return "清理至"
	case "through_hash":
		return "末条哈希"
	// Organizational life.
	case "type":
		return "活动类型"
	case "start_at":
		return "开始时间"
	case "end_at":
		return "结束时间"
	case "place":
		return "地点"
	case "host":
		return "主持人"
	case "recorder":
		return "记录人"
	case "content":
		return "会议记录"
	case "decisions":
		return "决议事项"
	case "materials":
		return "学习材料"
	case "cancel_reason":
		return "取消原因"
	case "expected":
		return "应到人数"
	case "present":
		return "出席人数"
	case "on_leave", "leave":
		return "请假人数"
	case "absent":
		return "缺席人数"
	case "counts":
		return "计为有效召开"
	case "topics":
		return "第一议题"
	case "guests":
		return "列席人员"
	case "issued_on":
		return "发表日期"
	case "source":
		return "出处"
	case "session":
		return "会话"
	case "reason":
		return "原因"
	case "user":
		return "账户"
	}
	return field
}

// objectFieldLabel names a field of an object of the given type: "title" is the 主题 of an
// event and the 标题 of a 第一议题 item, the 职务 of a post.
func objectFieldLabel(objectType, field string) string {
	if field == "title" {
		switch objectType {
		case store.ObjEvent, store.ObjEventPlan:
			return "主题"
		case store.ObjFirstTopic:
			return "标题"
		}
	}
	return fieldLabel(field)
}

// valueText shows a stored value for people: true and false as 是 and 否, a stored UTC time
// as Beijing time.
func valueText(v string) string {
	switch v {
	case "true":
		return "是"
	case "false":
		return "否"
	}
	if t, err := time.Parse("2006-01-02T15:04:05.000000Z", v); err == nil {
		return t.In(party.Zone).Format("2006-01-02 15:04")
	}
	return v
}

// DetailText renders the audit detail of an object of the given type for people: a diff as
// "名称：旧 → 新；…", other JSON objects as "键：值；…", anything else as stored.
func DetailText(objectType, detail string) string {
	label := func(f string) string { return objectFieldLabel(objectType, f) }
	if detail == "" {
		return ""
	}
	var changes []store.Change
	if err := json.Unmarshal([]byte(detail), &changes); err == nil {
		parts := make([]string, 0, len(changes))
		for _, c := range changes {
			switch {
			case c.Old == "":
				parts = append(parts, label(c.Field)+"："+valueText(c.New))
			case c.New == "":
				parts = append(parts, label(c.Field)+"："+valueText(c.Old)+" → （空）")
			default:
				parts = append(parts, label(c.Field)+"："+valueText(c.Old)+" → "+valueText(c.New))
			}
		}
		return strings.Join(parts, "；")
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(detail), &obj); err == nil {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, label(k)+"："+valueText(fmt.Sprint(obj[k])))
		}
		return strings.Join(parts, "；")
	}
	return detail
}
