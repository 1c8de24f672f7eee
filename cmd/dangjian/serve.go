package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"dangjian/internal/auth"
	"dangjian/internal/demo"
	"dangjian/internal/files"
	"dangjian/internal/notify"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/web"
)

func (e *env) serve(ctx context.Context, args []string) error {
	fs := e.newFlagSet("serve", "serve [--addr HOST:PORT] [--no-demo] [--tls-cert FILE --tls-key FILE] [--require-2fa] [--data DIR] [--db URL]")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	noDemo := fs.Bool("no-demo", false, "do not load the demo bureau (and its accounts) into an empty database")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM, with its chain)")
	tlsKey := fs.String("tls-key", "", "the certificate's private key (PEM)")
	require2FA := fs.Bool("require-2fa", false, "require TOTP of every administrative account (等保 level 3)")
	if _, err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return userErrorf("--tls-cert 和 --tls-key 须同时指定")
	}
	var cert tls.Certificate
	if *tlsCert != "" {
		var err error
		if cert, err = tls.LoadX509KeyPair(*tlsCert, *tlsKey); err != nil {
			return userErrorf("无法读取证书或私钥：%v", err)
		}
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := newLogger(e.stderr)
	authn := auth.New(db, auth.Options{RequireSecondFactor: *require2FA})

	empty, err := db.Empty(ctx)
	if err != nil {
		return err
	}
	if empty && !*noDemo {
		dctx := party.WithActor(ctx, party.Actor{Username: "demo", Source: "system"})
		sum, err := demo.Load(dctx, db, party.Today(time.Now()))
		if err != nil {
			return userErrorf("载入演示数据失败：%s", party.ErrorMessage(err))
		}
		if err := db.SetMeta(ctx, "demo", "1"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "数据库为空，已载入演示数据：%s\n", sum)
		evs, err := demo.LoadEvents(dctx, db, party.Today(time.Now()))
		if err != nil {
			return userErrorf("载入演示活动失败：%s", party.ErrorMessage(err))
		}
		fmt.Fprintf(e.stdout, "%s\n", evs)
		if err := e.demoAccounts(dctx, db, authn); err != nil {
			return err
		}
		// Loading the demo (and hashing its passwords with argon2id) takes ~150 MB that the
		// idle server does not need; hand it back now rather than when the scavenger gets to it.
		debug.FreeOSMemory()
	}
	users, err := db.CountUsers(ctx)
	if err != nil {
		return err
	}

	fileStore, err := files.New(dbf.data, 0)
	if err != nil {
		return userErrorf("无法使用附件目录：%v", err)
	}
	// The reminders scheduler: recurring plans become planned events now and every morning,
	// when the enabled notification channels get their digest too. A failing channel is
	// recorded for the admin and never stops the server.
	sched := &notify.Scheduler{DB: db, Log: logger}
	if _, err := db.MaterializePlans(party.WithActor(ctx, party.Actor{Username: "system:reminders", Source: "system"}),
		party.Today(time.Now()).AddDays(60)); err != nil {
		logger.Error("reminders: materialize plans", "err", err)
	}
	schedCtx, stopSched := context.WithCancel(ctx)
	defer stopSched()
	go func() { _ = sched.Run(schedCtx) }()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return userErrorf("无法监听 %s：%v", *addr, err)
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	srv := &http.Server{
		Handler:           web.New(web.Options{DB: db, Auth: authn, Logger: logger, Files: fileStore}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	where := "SQLite 数据库 " + dbf.data + "/" + store.SQLiteFile
	if db.Engine() == store.Postgres {
		where = "PostgreSQL 数据库"
	}
	fmt.Fprintf(e.stdout, "党建工作管理平台已启动（%s）\n请用浏览器打开 %s://%s/\n", where, scheme, displayAddr(ln.Addr().String()))
	if users == 0 {
		fmt.Fprintf(e.stdout, "尚无任何账户：请在服务器本机打开 %s://%s/setup 创建第一个管理员，"+
			"或运行 dangjian user add --username 用户名 --role 党建管理员 --password-stdin。\n", scheme, displayAddr(ln.Addr().String()))
	}
	if scheme == "http" && !isLoopbackAddr(ln.Addr().String()) {
		fmt.Fprintln(e.stdout, "注意：正在网络上以 HTTP 提供服务，密码和会话未加密。生产环境请使用 --tls-cert/--tls-key。")
	}
	fmt.Fprintln(e.stdout, "按 Ctrl+C 停止。")

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

// demoAccounts creates the demo accounts and prints their passwords: this once, never again.
func (e *env) demoAccounts(ctx context.Context, db *store.DB, authn *auth.Service) error {
	accounts, err := demo.LoadAccounts(ctx, db, authn)
	if party.ErrorCode(err) == party.ECONFLICT {
		fmt.Fprintln(e.stdout, "数据库中已有账户，未创建演示账户。")
		return nil
	}
	if err != nil {
		return userErrorf("创建演示账户失败：%s", party.ErrorMessage(err))
	}
	fmt.Fprintln(e.stdout, "已创建演示账户（每个角色一个）。密码随机生成，只在此显示一次，请记下：")
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  用户名\t密码\t角色\t范围")
	for _, a := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Username, a.Password, a.Role, a.Scope)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "这是演示数据库（人员、号码均为虚构），请勿录入真实数据。忘记密码时可用 dangjian user password 重置。")
	return nil
}

// isLoopbackAddr reports whether a listen address is on 127.0.0.0/8 or ::1.
func isLoopbackAddr(a string) bool {
	host, _, err := net.SplitHostPort(a)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
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
