package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"dangjian/internal/demo"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/web"
)

func (e *env) serve(ctx context.Context, args []string) error {
	fs := e.newFlagSet("serve", "serve [--addr HOST:PORT] [--no-demo] [--data DIR] [--db URL]")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	noDemo := fs.Bool("no-demo", false, "do not load the demo bureau into an empty database")
	if _, err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := newLogger(e.stderr)

	empty, err := db.Empty(ctx)
	if err != nil {
		return err
	}
	if empty && !*noDemo {
		sum, err := demo.Load(ctx, db, party.Today(time.Now()))
		if err != nil {
			return userErrorf("载入演示数据失败：%s", party.ErrorMessage(err))
		}
		if err := db.SetMeta(ctx, "demo", "1"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "数据库为空，已载入演示数据：%s\n", sum)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return userErrorf("无法监听 %s：%v", *addr, err)
	}
	srv := &http.Server{
		Handler:           web.New(web.Options{DB: db, Logger: logger}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	where := "SQLite 数据库 " + dbf.data + "/" + store.SQLiteFile
	if db.Engine() == store.Postgres {
		where = "PostgreSQL 数据库"
	}
	fmt.Fprintf(e.stdout, "党建工作管理平台已启动（%s）\n请用浏览器打开 http://%s/\n", where, displayAddr(ln.Addr().String()))
	fmt.Fprintln(e.stdout, "账户与登录功能上线前，页面和接口只允许本机（127.0.0.1）访问，无需登录。按 Ctrl+C 停止。")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	fmt.Fprintln(e.stdout, "已停止。")
	return nil
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// helpOK turns a --help request into success and keeps other parse errors.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func (e *env) migrate(ctx context.Context, args []string) error {
	fs := e.newFlagSet("migrate", "migrate [--data DIR] [--db URL]")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	if _, err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(e.stdout, "数据库结构已是最新。")
	return nil
}
