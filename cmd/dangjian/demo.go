package main

import (
	"context"
	"fmt"
	"time"

	"dangjian/internal/auth"
	"dangjian/internal/demo"
	"dangjian/internal/party"
)

func (e *env) demo(ctx context.Context, args []string) error {
	fs := e.newFlagSet("demo", "demo [--scale bureau|city] [--branches N] [--members N] [--events] [--data DIR] [--db URL]")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	scale := fs.String("scale", "bureau", `"bureau": the demo bureau; "city": a synthetic city for load tests`)
	branches := fs.Int("branches", 14000, "branches of the synthetic city (with --scale city)")
	members := fs.Int("members", 300000, "members of the synthetic city (with --scale city)")
	events := fs.Bool("events", false, "with --scale city: also this year's organizational life up to yesterday (about 50 events a branch)")
	if _, err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if *scale != "bureau" && *scale != "city" {
		return userErrorf("--scale 只能是 bureau 或 city")
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = party.WithActor(ctx, party.Actor{Username: cliUser(e), Source: "cli"})
	start := time.Now()
	var sum *demo.Summary
	if *scale == "city" {
		sum, err = demo.City(ctx, db, demo.CityOptions{Branches: *branches, Members: *members, Seed: 1}, e.stderr)
	} else {
		sum, err = demo.Load(ctx, db, party.Today(time.Now()))
	}
	if err != nil {
		return err
	}
	if err := db.SetMeta(ctx, "demo", *scale); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已载入演示数据（用时%.1f秒）：%s\n", time.Since(start).Seconds(), sum)
	if *scale == "city" && *events {
		today := party.Today(time.Now())
		evs, err := demo.CityEvents(ctx, db, demo.CityEventsOptions{Year: today.Year, Seed: 1}, e.stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已登记组织生活活动%d次、出勤记录%d条（用时%.1f秒）\n", evs.Events, evs.Attendance, evs.Elapsed.Seconds())
	}
	if *scale == "bureau" {
		evs, err := demo.LoadEvents(ctx, db, party.Today(time.Now()))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", evs)
		return e.demoAccounts(ctx, db, auth.New(db, auth.Options{}))
	}
	return nil
}
