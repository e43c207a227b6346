//! Debug helper: parse a playbook and print its AST or the syntax error.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse FILE");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    match funnel_syntax::parse(&text) {
        Ok(ast) => println!("{ast:#?}"),
        Err(d) => {
            let idx = funnel_syntax::LineIndex::new(&text);
            let lc = idx.line_col(&text, d.primary_span().start as usize);
            println!(
                "{}:{}:{}: {} [{}] {:?}",
                path, lc.line, lc.column, d.message, d.code, d.help
            );
        }
    }
}
