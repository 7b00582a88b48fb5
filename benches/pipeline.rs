//! Throughput of the core: a realistic Purchase event (every identifier, two products) through
//! map + Segment's schema step + normalize + hash + serialize, on one thread.

// The same allocator as the binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reddit_capi_console::engine::{Engine, Mapped};
use reddit_capi_console::mapping::schema::Mode;
use reddit_capi_console::segment::{Event, parse_events};
use reddit_capi_console::workspace::Workspace;

const PURCHASE: &str = include_str!("../assets/samples/purchase.json");

/// The preset workspace's engine, the Purchase sample, the Purchase mapping's index and now.
fn purchase() -> (Engine, Event, usize, i64) {
    let workspace = Workspace::presets();
    let mut settings = workspace.settings.clone();
    settings.pixel_id = "a2_bench".into();
    let engine = Engine::new(&workspace, settings).unwrap();
    let event = parse_events(PURCHASE, "purchase.json").unwrap().remove(0);
    let purchase = engine.find("Purchase").unwrap();
    (engine, event, purchase, reddit_capi_console::timestamp::now_millis())
}

fn pipeline(c: &mut Criterion) {
    let (engine, event, purchase, now) = purchase();

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(1));
    group.bench_function("purchase: map + normalize + hash + serialize", |b| {
        let mut buf = Vec::with_capacity(4096);
        b.iter(|| {
            let Mapped::Built(built) = engine.apply(purchase, &event, Mode::Single, false, now) else {
                panic!("the sample builds");
            };
            buf.clear();
            reddit_capi_console::reddit::json::write_event(&mut buf, &built.body);
            buf.len()
        });
    });
    group.bench_function("purchase: with provenance (explain)", |b| {
        b.iter(|| engine.apply(purchase, &event, Mode::Single, true, now));
    });
    let mapping = &engine.mappings[purchase];
    let action = reddit_capi_console::mapping::Action::StandardEvent;
    let rules = reddit_capi_console::mapping::schema::Rules { segment_currencies: true, v2: true };
    group.bench_function("stage: resolve", |b| b.iter(|| mapping.resolve(event.value()).len()));
    group.bench_function("stage: resolve + schema", |b| {
        b.iter(|| {
            let resolved = mapping.resolve(event.value());
            reddit_capi_console::mapping::schema::validate(action, resolved, Mode::Single, rules).is_ok()
        })
    });
    group.bench_function("trigger matching over 9 presets", |b| {
        b.iter(|| engine.matching(&event));
    });
    group.finish();
}

/// The hand-made body writer (`reddit::json`) against serde's derives on the same event: its
/// comment quotes these figures next to the pipeline's per-event time.
fn speedups(c: &mut Criterion) {
    let (engine, event, purchase, now) = purchase();
    let Mapped::Built(built) = engine.apply(purchase, &event, Mode::Single, false, now) else {
        panic!("the sample builds");
    };
    let mut group = c.benchmark_group("speed-ups");
    let mut buf = Vec::with_capacity(4096);
    group.bench_function("body: hand-written writer", |b| {
        b.iter(|| {
            buf.clear();
            reddit_capi_console::reddit::json::write_event(&mut buf, &built.body);
            buf.len()
        })
    });
    group.bench_function("body: serde_json derives", |b| {
        b.iter(|| {
            buf.clear();
            serde_json::to_writer(&mut buf, &built.body).unwrap();
            buf.len()
        })
    });
    group.finish();
}

criterion_group!(benches, pipeline, speedups);
criterion_main!(benches);
