package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"dangjian/internal/party"
	"dangjian/internal/secret"
	"dangjian/internal/store"
)

// errUsage reports a command line that could not be parsed; the usage is already printed.
var errUsage = errors.New("usage")

// cliError is a failure whose message is meant for the user as it stands.
type cliError struct{ msg string }

func (e *cliError) Error() string { return e.msg }

func userErrorf(format string, args ...any) error { return &cliError{fmt.Sprintf(format, args...)} }

// env is what every subcommand receives.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

const usage = `dangjian — party-building work management platform (党建工作管理平台)

Usage:
  dangjian [command] [flags]

Commands:
  serve      run the web server (the default when no command is given)
  migrate    create or upgrade the database schema
  import     import members, organizations or past events from an Excel file
  export     export members, the roster template or the organization sheet to Excel
  demo       load the demo bureau (or a synthetic city) into an empty database
  compliance organizational life required vs held, per organization and rule, for a period
  audit      verify the audit trail's hash chain, export it to Excel, purge old rows
  user       add, list, disable and grant roles to accounts; reset a password
  token      create, list and revoke API tokens
  version    print the version

Every command accepts:
  --data DIR   data directory: SQLite database and key file (default ./data, or $DANGJIAN_DATA)
  --db URL     use PostgreSQL (postgres://...) instead of SQLite (or $DANGJIAN_DB)
The master key for sensitive fields is read from $DANGJIAN_KEY (64 hex characters) or from
DIR/dangjian.key, created on first start.

Run "dangjian COMMAND --help" for the flags of a command.
`

// run is the whole program: it parses args and runs one command.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmd := "serve"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		// The program's own help lists the commands; "serve --help" gives the server's flags.
		fmt.Fprint(stdout, usage)
		return nil
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return e.serve(ctx, args)
	case "migrate":
		return e.migrate(ctx, args)
	case "import":
		return e.importCmd(ctx, args)
	case "export":
		return e.exportCmd(ctx, args)
	case "demo":
		return e.demo(ctx, args)
	case "compliance":
		return e.compliance(ctx, args)
	case "audit":
		return e.audit(ctx, args)
	case "user":
		return e.user(ctx, args)
	case "token":
		return e.token(ctx, args)
	case "version":
		return e.version(args)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	fmt.Fprintf(stderr, "\n未知命令“%s”\n", cmd)
	return errUsage
}

// dbFlags are the flags shared by every command that opens the database.
type dbFlags struct {
	data string
	db   string
}

func (f *dbFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	data := getenv("DANGJIAN_DATA")
	if data == "" {
		data = "./data"
	}
	fs.StringVar(&f.data, "data", data, "data directory for the SQLite database and the key file ($DANGJIAN_DATA)")
	fs.StringVar(&f.db, "db", getenv("DANGJIAN_DB"), "PostgreSQL URL postgres://... instead of SQLite ($DANGJIAN_DB)")
}

// open opens and migrates the database; create says whether a missing key file may be made.
func (f *dbFlags) open(ctx context.Context, e *env) (*store.DB, error) {
	keys, err := secret.Load(f.data, e.getenv("DANGJIAN_KEY"), true)
	if err != nil {
		return nil, userErrorf("无法读取密钥：%v", err)
	}
	db, err := store.Open(ctx, store.Config{URL: f.db, DataDir: f.data, Keys: keys})
	if err != nil {
		return nil, userErrorf("无法打开数据库：%v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		if party.ErrorCode(err) != party.EINTERNAL {
			return nil, err
		}
		return nil, userErrorf("数据库升级失败：%v", err)
	}
	return db, nil
}

// newFlagSet returns a flag set that prints its usage to e.stderr.
func (e *env) newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: dangjian %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args allowing flags after positional arguments, and returns the positionals.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// errHelp means --help was asked for and printed.
var errHelp = errors.New("help")

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
