package office

import "testing"

func TestEscapeCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=1+2", "'=1+2"},
		{"+86 138", "'+86 138"},
		{"-5", "'-5"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"办公室科员", "办公室科员"},
		{"a=b", "a=b"},
		{"'quoted", "'quoted"},
		{"", ""},
	} {
		if got := escapeCell(c.in); got != c.want {
			t.Errorf("escapeCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanCellUndoesEscapeAndTrims(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"'=1+2", "=1+2"},
		{" '@x ", "@x"},
		{"'quoted", "'quoted"},
		{"\u3000张三\u00a0", "张三"},
		{"\ufeff\u200b机关党支部 ", "机关党支部"},
		{"   ", ""},
	} {
		if got := cleanCell(c.in); got != c.want {
			t.Errorf("cleanCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, s := range []string{"=cmd|' /C calc'!A0", "-1", "+x", "@y"} {
		if got := cleanCell(escapeCell(s)); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
}
