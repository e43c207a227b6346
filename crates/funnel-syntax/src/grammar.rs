//! The pest binding of `grammar/funnel.pest`: the generated parser and its
//! `Rule` enum, which the parser, the lowering and the nesting checks share.

#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/funnel.pest"]
pub struct FunnelParser;
