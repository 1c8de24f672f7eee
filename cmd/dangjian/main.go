// Command dangjian is the party-building work management platform (党建工作管理平台): one binary
// that serves the web pages and API and runs the administrative subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the display zone Asia/Shanghai must load on machines without tzdata

	"dangjian/internal/party"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "错误："+userMessage(err))
		}
		os.Exit(1)
	}
}

// userMessage returns the Chinese message for err; internal details stay out of it.
func userMessage(err error) string {
	var ce *cliError
	if errors.As(err, &ce) {
		return ce.msg
	}
	return party.ErrorMessage(err)
}
