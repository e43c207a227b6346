//! Check one playbook and print its diagnostics: `cargo run -p funnel-check --example check FILE`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: check FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let checked = funnel_check::check_source(&text);
    print!(
        "{}",
        funnel_check::render::render_human(&checked.diagnostics, &path, &text, false)
    );
    if let Some(p) = &checked.program {
        for k in &p.hir.kpis {
            println!("kpi {} : {}", k.name, k.ty);
        }
    }
}
