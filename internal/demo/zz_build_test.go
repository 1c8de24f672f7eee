package demo_test
import ("testing";"context";"os";"dangjian/internal/demo";"dangjian/internal/store";"dangjian/internal/store/storetest")
func TestZZBuild(t *testing.T){
 dir := os.Getenv("ZZ_DIR")
 if dir == "" { t.Skip() }
 ctx := context.Background()
 cfg := store.Config{DataDir: dir, Keys: storetest.Keys(t), URL: os.Getenv("ZZ_URL")}
 db, err := store.Open(ctx, cfg)
 if err != nil { t.Fatal(err) }
 defer db.Close()
 if err := db.Migrate(ctx); err != nil { t.Fatal(err) }
 sum, err := demo.City(ctx, db, demo.CityOptions{Branches: 5600, Members: 120000, Seed: 1}, os.Stdout)
 if err != nil { t.Fatal(err) }
 t.Log(sum)
}
