//! Embeds the web kit's files: every `templates/*.html`, `locales/<lang>/*.ftl` and `assets/*` is
//! listed in `$OUT_DIR/embedded.rs`, so adding a template, a catalogue or a language is adding a
//! file or a folder.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut out = String::new();

    out.push_str("/// `(name, source)` of each built-in template.\n");
    out.push_str("pub static TEMPLATES: &[(&str, &str)] = &[\n");
    for path in files(&root.join("templates"), "html") {
        writeln!(out, "    ({:?}, include_str!({:?})),", name(&path), path).unwrap();
    }
    out.push_str("];\n");

    out.push_str("/// `(language, file name, source)` of each built-in catalogue.\n");
    out.push_str("pub static LOCALES: &[(&str, &str, &str)] = &[\n");
    for lang in dirs(&root.join("locales")) {
        for path in files(&lang, "ftl") {
            let line = format!(
                "({:?}, {:?}, include_str!({:?}))",
                name(&lang),
                name(&path),
                path
            );
            writeln!(out, "    {line},").unwrap();
        }
    }
    out.push_str("];\n");

    out.push_str("/// `(name, content)` of each built-in asset.\n");
    out.push_str("pub static ASSETS: &[(&str, &[u8])] = &[\n");
    for path in files(&root.join("assets"), "") {
        writeln!(out, "    ({:?}, include_bytes!({:?})),", name(&path), path).unwrap();
    }
    out.push_str("];\n");

    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("embedded.rs");
    std::fs::write(dest, out).unwrap();
    for dir in ["templates", "locales", "assets"] {
        println!("cargo::rerun-if-changed={dir}");
    }
    println!("cargo::rerun-if-changed=build.rs");
}

fn name(path: &Path) -> &str {
    path.file_name()
        .unwrap()
        .to_str()
        .expect("file names are UTF-8")
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| !name(path).starts_with('.'))
        .collect();
    paths.sort();
    paths
}

/// The files of `dir` ending in `.{ext}` (any file when `ext` is empty), sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    entries(dir)
        .into_iter()
        .filter(|p| p.is_file() && (ext.is_empty() || p.extension().is_some_and(|e| e == ext)))
        .collect()
}

fn dirs(dir: &Path) -> Vec<PathBuf> {
    entries(dir).into_iter().filter(|p| p.is_dir()).collect()
}
