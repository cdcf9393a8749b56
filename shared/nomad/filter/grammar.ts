/**
 * go-bexpr's expression grammar (hashicorp/go-bexpr grammar/grammar.peg), written for peggy.
 * Same rules, same precedence (`not` over `and` over `or`), same display names, so syntax
 * errors name what was expected the way Nomad's do.
 */
export const BEXPR_GRAMMAR = String.raw`
{{
  function unquote(text) {
    try {
      return JSON.parse('"' + text.replace(/\\'/g, "'") + '"');
    } catch {
      error('invalid syntax');
    }
  }
}}

Input
  = _? "(" _? expr:OrExpression _? ")" _? EOF { return expr; }
  / _? expr:OrExpression _? EOF { return expr; }

OrExpression
  = left:AndExpression _ "or" _ right:OrExpression { return { type: 'or', left, right }; }
  / AndExpression

AndExpression
  = left:NotExpression _ "and" _ right:AndExpression { return { type: 'and', left, right }; }
  / NotExpression

NotExpression
  = "not" _ expr:NotExpression { return expr.type === 'not' ? expr.operand : { type: 'not', operand: expr }; }
  / ParenthesizedExpression

ParenthesizedExpression "grouping"
  = "(" _? expr:OrExpression _? ")" { return expr; }
  / MatchExpression
  / "(" _? OrExpression _? !")" &{ error('Unmatched parentheses'); }

MatchExpression "match"
  = MatchSelectorOpValue / MatchSelectorOp / MatchValueOpSelector

MatchSelectorOpValue "match"
  = selector:Selector operator:(MatchEqual / MatchNotEqual / MatchContains / MatchNotContains / MatchMatches / MatchNotMatches) value:Value
    { return { type: 'match', selector, operator, value }; }

MatchSelectorOp "match"
  = selector:Selector operator:(MatchIsEmpty / MatchIsNotEmpty) { return { type: 'match', selector, operator }; }

MatchValueOpSelector "match"
  = value:Value operator:(MatchIn / MatchNotIn) selector:Selector { return { type: 'match', selector, operator, value }; }
  / Value (MatchIn / MatchNotIn) !Selector &{ error('Invalid selector'); }

MatchEqual = _? "==" _? { return '=='; }
MatchNotEqual = _? "!=" _? { return '!='; }
MatchIsEmpty = _ "is" _ "empty" { return 'is empty'; }
MatchIsNotEmpty = _ "is" _ "not" _ "empty" { return 'is not empty'; }
MatchIn = _ "in" _ { return 'in'; }
MatchNotIn = _ "not" _ "in" _ { return 'not in'; }
MatchContains = _ "contains" _ { return 'in'; }
MatchNotContains = _ "not" _ "contains" _ { return 'not in'; }
MatchMatches = _ "matches" _ { return 'matches'; }
MatchNotMatches = _ "not" _ "matches" _ { return 'not matches'; }

Selector "selector"
  = first:Identifier rest:SelectorOrIndex* { return { kind: 'bexpr', path: [first, ...rest] }; }
  / "[" _? first:StringLiteral rest:("," _? @StringLiteral)* _? "]" { return { kind: 'inline', path: [], raw: [first, ...rest].join(',') }; }
  / '"' segments:JsonPointerSegment* '"' { return { kind: 'pointer', path: segments }; }

JsonPointerSegment
  = "/" segment:$[a-zA-Z0-9\-_.~:|\u0080-\uFFFF]+ { return segment.replace(/~1/g, '/').replace(/~0/g, '~'); }

Identifier = $([a-zA-Z] [a-zA-Z0-9_/]*)

SelectorOrIndex
  = "." @Identifier
  / IndexExpression
  / "." @$[0-9]+

IndexExpression "index"
  = "[" _? @StringLiteral _? "]"
  / "[" _? !StringLiteral &{ error('Invalid index'); }
  / "[" _? StringLiteral _? !"]" &{ error('Unclosed index expression'); }

Value "value"
  = selector:Selector { return selector.kind === 'inline' ? selector.raw : selector.path.join('.'); }
  / NumberLiteral
  / StringLiteral

NumberLiteral "number"
  = number:$("-"? IntegerOrFloat) &AfterNumbers { return number; }
  / "-"? IntegerOrFloat !AfterNumbers &{ error('Invalid number literal'); }

AfterNumbers = &(_ / EOF / ")")

IntegerOrFloat = ("0" / [1-9][0-9]*) ("." [0-9]+)?

StringLiteral "string"
  = "\u0060" text:$(!"\u0060" .)* "\u0060" { return text; }
  / '"' text:$(!'"' .)* '"' { return unquote(text); }
  / ("\u0060" (!"\u0060" .)* / '"' (!'"' .)*) EOF &{ error('Unterminated string literal'); }

_ "whitespace" = [ \t\r\n]+

EOF = !.
`;
