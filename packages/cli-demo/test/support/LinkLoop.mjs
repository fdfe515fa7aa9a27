// The server half of the kill -9 test: links one source into new collections of a seeded schema, four at a time,
// until it is killed, printing `linked` after each link. Run by test/Kill.test.ts as `node LinkLoop.mjs URL SCHEMA PREFIX` against the built library.
import { PgStore } from "@registrar/adapters-pg"
import { Registrar } from "@registrar/domain"
import { Effect, Layer } from "effect"

const [url, schema, prefix] = process.argv.slice(2)

const linkForever = Effect.gen(function* () {
  const registrar = yield* Registrar
  for (let round = 0; ; round++) {
    yield* Effect.forEach(
      [0, 1, 2, 3],
      (lane) =>
        Effect.tap(
          registrar.link({
            actor: "ada",
            source: "vision/images/raw:v0",
            target: `wandb-registry-Golden/${prefix}-${round}-${lane}`
          }),
          () => Effect.sync(() => process.stdout.write("linked\n"))
        ),
      { concurrency: 4, discard: true }
    )
  }
})

Effect.runPromise(
  Effect.provide(linkForever, Registrar.layer().pipe(Layer.provide(PgStore.layer({ url, schema, poolSize: 4 }))))
).catch((error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
