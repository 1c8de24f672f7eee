package office

import (
	"fmt"
	"io"

	"dangjian/internal/party"
)

// EventSheet is the sheet of the event ledger import template.
const EventSheet = "活动台账"

// eventWidths are the column widths of the event ledger template.
var eventWidths = map[string]float64{"组织": 24, "类型": 14, "日期": 12, "开始时间": 10, "主题": 30, "主持人": 10,
	"记录人": 10, "应到人数": 9, "出席人员": 40, "请假人员": 24, "缺席人员": 16, "第一议题": 36}

// eventTextColumns are formatted as text, so Excel does not turn 14:30 into a fraction or a
// list of names into anything else.
var eventTextColumns = map[string]bool{"开始时间": true, "出席人员": true, "请假人员": true, "缺席人员": true}

// eventGuide explains each ledger column on the template's 填写说明 sheet.
var eventGuide = map[string]string{
	"组织":   "必填，本组织范围内的党组织名称或组织编码（下拉选择），如“第一党小组”；同名组织请填写组织编码。",
	"类型":   "必填，活动类型名称（下拉选择），如“支部党员大会”“主题党日”“党小组会”。",
	"日期":   "必填，活动召开的日期，不得晚于今天；该组织当天须已成立、未撤销。",
	"开始时间": "必填，如 14:30。",
	"主题":   "必填，不超过200个字。同一组织、类型、日期和主题的活动已登记过的，不会重复导入。",
	"主持人":  "选填，姓名。",
	"记录人":  "选填，姓名。",
	"应到人数": "选填，填写时须等于出席、请假、缺席人员的合计人数。",
	"出席人员": "必填，该组织在活动当天的党员姓名，用顿号（、）或逗号分隔；同名党员无法区分，请在系统中逐人登记。",
	"请假人员": "选填，姓名后可用括号写明原因，如“张三（出差）、李四（病假）”。",
	"缺席人员": "选填，姓名，用顿号分隔。",
	"第一议题": "选填，本次学习的第一议题标题，多项用分号（；）或换行分隔；须为第一议题台账中已有的标题；由负责全系统的党建管理员导入时，台账中还没有的标题会新建（发表日期待补）。只有学习类活动登记第一议题。",
}

// eventGuideNotes are the general rules printed under the column notes.
var eventGuideNotes = []string{
	"每行填写一次已召开的活动；计划中的活动请在系统中登记。",
	"日期可以是 Excel 日期，也可以写作文字：2026-03-15、2026/3/15、2026.03.15 或 2026年3月15日。",
	"第1行为列名，请勿修改或删除；列的顺序可以调整，但不能增加模板以外的列。",
	"导入前系统会逐行检查，只要有一行有错误，整个文件都不会导入，并列出每个错误所在的行、列和原因。",
	"支部委员会须有过半数委员出席方计为有效。",
}

// WriteEventTemplate writes an empty event ledger template for importing past events, with
// drop-down lists of the organizations of the subtree (by name, or by code where two share a
// name) and of the active event types.
func WriteEventTemplate(w io.Writer, orgs []*party.Org, types []*party.EventType) error {
	var typeNames []string
	for _, t := range types {
		if t.Active {
			typeNames = append(typeNames, t.Name)
		}
	}
	err := writeImportTemplate(w, importTemplate{
		sheet: EventSheet, headers: party.EventHeaders, widths: eventWidths, text: eventTextColumns,
		guide: eventGuide, notes: eventGuideNotes,
		lists: []dropList{{"组织", orgChoices(orgs), false}, {"类型", typeNames, true}},
	})
	if err != nil {
		return fmt.Errorf("office: write event template: %w", err)
	}
	return nil
}
