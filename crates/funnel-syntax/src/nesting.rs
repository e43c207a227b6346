//! The nesting limit. Every pass over a playbook (lowering, checking,
//! formatting, compiling, evaluating) recurses over the tree, so a deeply
//! nested playbook (400 parentheses, thousands of `not`s or `else if`s)
//! would overflow the stack. A playbook may nest [`MAX_NESTING`] levels:
//! each `(`, `not`, unary `-`, function call, comparison, operator of an
//! `and`/`or`/`+`/`*` chain, nurture block and `else` is a level (the depth
//! of the tree the passes walk). Deeper nesting is the diagnostic `funnel::syntax::too_deep`,
//! found before the tree is built (brackets are counted in the text first,
//! so even pest never recurses far). Callers that run the passes on
//! playbooks they did not write run them through [`on_big_stack`], where
//! every pass has ample room at the limit.

use pest::iterators::Pair;

use crate::diagnostic::Diagnostic;
use crate::grammar::Rule;
use crate::span::Span;

/// Operands one `+`/`-`, `*`/`/`, `and` or `or` chain may have: deeper trees
/// would exhaust the stack of every recursive pass (and of dropping them).
pub const MAX_CHAIN: usize = 1_000;

/// Levels of nesting a playbook may use.
pub const MAX_NESTING: usize = 1_000;

/// The stack [`on_big_stack`] gives: far more than any pass needs at
/// [`MAX_NESTING`] (it is address space; only what is used is touched).
pub const STACK_SIZE: usize = 256 << 20;

/// Run `f` on a thread with a [`STACK_SIZE`] stack (or on this thread, if
/// no thread can be started), and return what it returns.
pub fn on_big_stack<T: Send, F: FnOnce() -> T + Send>(f: F) -> T {
    let mut job = Some(f);
    let ran = std::thread::scope(|s| {
        let job = &mut job;
        std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, move || job.take().map(|f| f()))
            .map(|h| h.join())
    });
    match (ran, job.take()) {
        (Ok(Ok(Some(v))), _) => v,
        (Ok(Err(p)), _) => std::panic::resume_unwind(p),
        // No thread could be started, so the job is still here.
        (_, Some(f)) => f(),
        (Err(_) | Ok(Ok(None)), None) => unreachable!("a started thread runs the job"),
    }
}

pub(crate) fn too_deep(at: Span) -> Diagnostic {
    Diagnostic::error(
        "funnel::syntax::too_deep",
        format!("the playbook nests more than {MAX_NESTING} levels deep"),
    )
    .label(at, "nested too deeply")
    .help(
        "each `(`, `not`, `-`, call, comparison, operator, block and `else` is a level; \
         move part of the expression into a score, field or kpi, or write a long \
         `else if` chain as separate `if` steps",
    )
}

/// The first place where brackets (`(`, `{`, `[`, outside strings and
/// comments) nest deeper than the limit allows.
pub(crate) fn deep_brackets(text: &str) -> Option<Span> {
    // Two levels for the declaration's own braces and a list's parentheses.
    let limit = MAX_NESTING + 2;
    let (mut depth, mut in_string, mut escaped, mut comment) = (0usize, false, false, false);
    for (i, c) in text.char_indices() {
        match c {
            '\n' => {
                comment = false;
                in_string = false;
            }
            _ if comment => {}
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            _ if in_string => {}
            '#' => comment = true,
            '(' | '{' | '[' => {
                depth += 1;
                if depth > limit {
                    return Some(Span::new(i, i + 1));
                }
            }
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The levels a pair adds to the tree the passes walk: one per `(`, `not`,
/// unary `-`, call, comparison, block and `else`, and one per operator of
/// an `and`/`or`/`+`/`*` chain (a chain longer than the lowering allows
/// counts as that long, so it is reported as too long, not too deep).
fn weight(p: &Pair<'_, Rule>) -> usize {
    let operands = |of: Rule| p.clone().into_inner().filter(|c| c.as_rule() == of).count();
    let chain = |of: Rule| operands(of).saturating_sub(1).min(MAX_CHAIN - 1);
    match p.as_rule() {
        Rule::paren | Rule::call | Rule::block => 1,
        // `else { … }` is its block's level; `else if` is a level of its own.
        Rule::else_block => operands(Rule::if_step),
        Rule::negation => operands(Rule::kw_not),
        Rule::unary => operands(Rule::neg_op),
        Rule::comparison => usize::from(p.clone().into_inner().nth(1).is_some()),
        Rule::disjunction => chain(Rule::conjunction),
        Rule::conjunction => chain(Rule::negation),
        Rule::additive => chain(Rule::multiplicative),
        Rule::multiplicative => chain(Rule::unary),
        _ => 0,
    }
}

/// The first pair nested deeper than [`MAX_NESTING`], found without
/// recursion. Every level [`weight`] counts takes at least one byte of text
/// of its own (a bracket, an operator, a keyword), so a declaration shorter
/// than the limit cannot reach it and is not walked.
pub(crate) fn deep_pair(file: &Pair<'_, Rule>) -> Option<Span> {
    let mut stack: Vec<(Pair<'_, Rule>, usize)> = file
        .clone()
        .into_inner()
        .filter(|d| d.as_span().as_str().len() > MAX_NESTING)
        .map(|d| (d, weight(file)))
        .collect();
    while let Some((p, depth)) = stack.pop() {
        let depth = depth + weight(&p);
        if depth > MAX_NESTING {
            let s = p.as_span();
            return Some(Span::new(s.start(), s.start() + 1));
        }
        stack.extend(p.into_inner().map(|c| (c, depth)));
    }
    None
}
