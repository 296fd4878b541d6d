//! What storing a case version costs in time and bytes with each codec: the README's business
//! case as the API returns it (`benches/readme_case.json`), encoded and decoded.
//! `cargo bench -p dossier-store --bench codec`; figures in `docs/benchmarks.md`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const CASE: &str = include_str!("readme_case.json");

fn codecs(c: &mut Criterion) {
    let lz4 = lz4_flex::block::compress_prepend_size(CASE.as_bytes());
    let deflate1 = miniz_oxide::deflate::compress_to_vec(CASE.as_bytes(), 1);
    let deflate6 = miniz_oxide::deflate::compress_to_vec(CASE.as_bytes(), 6);
    use dossier_store::Backend::{Postgres, Sqlite};
    println!(
        "{} bytes of JSON: lz4 {} bytes, deflate-1 {}, deflate-6 {}; stored as {} on SQLite ({} bytes), {} on PostgreSQL ({} bytes)",
        CASE.len(),
        lz4.len(),
        deflate1.len(),
        deflate6.len(),
        dossier_store::version_encoding(Sqlite),
        dossier_store::encode_version(Sqlite, CASE).len(),
        dossier_store::version_encoding(Postgres),
        dossier_store::encode_version(Postgres, CASE).len(),
    );
    c.bench_function("encode lz4", |b| {
        b.iter(|| lz4_flex::block::compress_prepend_size(black_box(CASE.as_bytes())))
    });
    for level in [1, 6] {
        c.bench_function(&format!("encode deflate-{level}"), |b| {
            b.iter(|| miniz_oxide::deflate::compress_to_vec(black_box(CASE.as_bytes()), level))
        });
    }
    c.bench_function("decode lz4", |b| {
        b.iter(|| lz4_flex::block::decompress_size_prepended(black_box(&lz4)).unwrap())
    });
    c.bench_function("decode deflate-1", |b| {
        b.iter(|| miniz_oxide::inflate::decompress_to_vec(black_box(&deflate1)).unwrap())
    });
}

criterion_group!(benches, codecs);
criterion_main!(benches);
