/**
 * The lexer, rule by rule of the lexical-rules table, for each dialect: the
 * same input read three ways shows which rule each dialect follows.
 */
import { describe, expect, it } from "vitest";
import { LEXICAL_RULES } from "../../../src/sql/lexical-rules.js";
import { SqlLexer, unquote, type ExecutableComments } from "../../../src/sql/lexer.js";
import type { DialectName } from "../../../src/vocabulary.js";

/** Every lexeme as `kind text`, with `=value` for quoted ones and `!` when unterminated. */
function lex(sql: string, dialect: DialectName, executable: ExecutableComments = "code", stop?: string): string[] {
  const lexer = new SqlLexer(sql, LEXICAL_RULES[dialect], executable);
  lexer.stop = stop;
  const out: string[] = [];
  let pos = 0;
  while (pos < sql.length) {
    if (sql.charCodeAt(pos) <= 32) {
      pos++;
      continue;
    }
    const start = pos;
    pos = lexer.scan(pos);
    const value = lexer.quote === 0 ? "" : `=${unquote(lexer)}`;
    out.push(`${lexer.kind} ${sql.slice(start, pos)}${value}${lexer.unterminated ? "!" : ""}`);
  }
  return out;
}

type Row = readonly [rule: string, input: string, tokens: readonly string[]];

const TABLE: Record<DialectName, readonly Row[]> = {
  sqlite: [
    [
      "words, numbers, params, punctuation",
      "SELECT a1, 1.5e-3, .5, ?, :n, $v FROM t",
      [
        "word SELECT",
        "word a1",
        "punct ,",
        "number 1.5e-3",
        "punct ,",
        "number .5",
        "punct ,",
        "param ?",
        "punct ,",
        "param :n",
        "punct ,",
        "param $v",
        "word FROM",
        "word t",
      ],
    ],
    [
      "strings double their quote, no backslash escapes",
      "'it''s' 'a\\' b",
      ["string 'it''s'=it's", "string 'a\\'=a\\", "word b"],
    ],
    ["a prefixed string is one token, without escapes", "x'0A' E'a\\'", ["string x'0A'=0A", "string E'a\\'=a\\"]],
    ["double quotes quote identifiers", `"a""b"`, [`quoted "a""b"=a"b`]],
    ["backticks quote identifiers", "`a``b`", ["quoted `a``b`=a`b"]],
    ["brackets quote identifiers", "[a b]", ["quoted [a b]=a b"]],
    ["no dollar quotes", "$$ $1", ["param $$", "param $1"]],
    ["block comments do not nest", "/* a /* b */ c */", ["block-comment /* a /* b */", "word c", "punct *", "punct /"]],
    ["-- needs no space", "1--2\n3", ["number 1", "line-comment --2", "number 3"]],
    ["# is not a comment", "# x", ["punct #", "word x"]],
    ["no executable comments", "/*!50000 DROP */", ["block-comment /*!50000 DROP */"]],
    ["@ is not a variable", "@a", ["punct @", "word a"]],
    ["unterminated tokens run to the end", "'abc", ["string 'abc=abc!"]],
  ],
  postgres: [
    [
      "words, numbers, params, punctuation",
      "SELECT a$b, 1e5, $1, x::int",
      ["word SELECT", "word a$b", "punct ,", "number 1e5", "punct ,", "param $1", "punct ,", "word x", "punct :", "param :int"],
    ],
    [
      "strings double their quote, no backslash escapes",
      "'it''s' 'a\\' b",
      ["string 'it''s'=it's", "string 'a\\'=a\\", "word b"],
    ],
    [
      "E'' strings take backslash escapes; a word ending in e does not",
      String.raw`E'a\'b' e'c' de'f'`,
      [String.raw`string E'a\'b'=a'b`, "string e'c'=c", "word de", "string 'f'=f"],
    ],
    ["double quotes quote identifiers", `"a""b"`, [`quoted "a""b"=a"b`]],
    ["no backtick identifiers", "`a`", ["punct `", "word a", "punct `"]],
    ["no bracket identifiers", "a[1]", ["word a", "punct [", "number 1", "punct ]"]],
    [
      "dollar quotes, tagged or not, with other tags inside",
      "$fn$ a $$ b $$ $fn$ $$;$$",
      ["string $fn$ a $$ b $$ $fn$= a $$ b $$ ", "string $$;$$=;"],
    ],
    ["an unterminated dollar quote", "$x$ a", ["string $x$ a= a!"]],
    ["block comments nest", "/* a /* b */ c */ d", ["block-comment /* a /* b */ c */", "word d"]],
    ["an unclosed nested comment", "/* a /* b */", ["block-comment /* a /* b */!"]],
    ["-- needs no space", "1--2\n3", ["number 1", "line-comment --2", "number 3"]],
    ["# is not a comment", "# x", ["punct #", "word x"]],
    ["no executable comments", "/*!50000 DROP */", ["block-comment /*!50000 DROP */"]],
    ["@ is not a variable", "@a", ["punct @", "word a"]],
  ],
  mysql: [
    [
      "words, numbers, params, punctuation",
      "SELECT a$b, 0x1F, ?",
      ["word SELECT", "word a$b", "punct ,", "number 0x1F", "punct ,", "param ?"],
    ],
    [
      "strings take backslash escapes and doubled quotes",
      String.raw`'it\'s' 'a''b'`,
      [String.raw`string 'it\'s'=it's`, "string 'a''b'=a'b"],
    ],
    ["double quotes are strings, with backslash escapes", String.raw`"a\"b"`, [String.raw`string "a\"b"=a"b`]],
    [
      "a charset-prefixed string is one token",
      String.raw`_utf8mb4'a\'' N'b'`,
      [String.raw`string _utf8mb4'a\''=a'`, "string N'b'=b"],
    ],
    ["backticks quote identifiers, without escapes", "`a``b\\`", ["quoted `a``b\\`=a`b\\"]],
    ["no bracket identifiers", "[a]", ["punct [", "word a", "punct ]"]],
    ["no dollar quotes", "$$", ["param $$"]],
    ["block comments do not nest", "/* a /* b */ c", ["block-comment /* a /* b */", "word c"]],
    [
      "-- needs whitespace or the end after it",
      "1--2 -- x\n--\t\n--",
      ["number 1", "punct -", "punct -", "number 2", "line-comment -- x", "line-comment --\t", "line-comment --"],
    ],
    ["# starts a comment", "a # x ; y\nb", ["word a", "line-comment # x ; y", "word b"]],
    [
      "executable comments are code",
      "/*!50000 DROP TABLE t */ x",
      ["executable-open /*!50000", "word DROP", "word TABLE", "word t", "executable-close */", "word x"],
    ],
    ["`*/` outside an executable comment is punctuation", "a */", ["word a", "punct *", "punct /"]],
    [
      "variables",
      "@a @@global.x @'q\\'r' @`s`",
      ["variable @a", "variable @@global.x", "variable @'q\\'r'=q'r", "variable @`s`=s"],
    ],
  ],
};

describe("the lexer, per dialect", () => {
  for (const dialect of ["sqlite", "postgres", "mysql"] as const) {
    describe(dialect, () => {
      it.each(TABLE[dialect].map(([rule, input, tokens]) => ({ rule, input, tokens })))("$rule", ({ input, tokens }) => {
        expect(lex(input, dialect)).toEqual(tokens);
      });
    });
  }
});

describe("the lexer's options", () => {
  it("reads a MySQL executable comment as one comment when asked to", () => {
    expect(lex("/*!50000 DROP */ x", "mysql", "comment")).toEqual(["block-comment /*!50000 DROP */", "word x"]);
  });

  it("cuts a word, number, variable or parameter where a custom delimiter glued to it starts", () => {
    expect(lex("END$$ 1$$ @v$$ $p$$", "mysql", "code", "$$")).toEqual([
      "word END",
      "param $$",
      "number 1",
      "param $$",
      "variable @v",
      "param $$",
      "param $p",
      "param $$",
    ]);
  });

  it("marks unterminated quotes and comments of every kind", () => {
    expect(lex("`a", "mysql")).toEqual(["quoted `a=a!"]);
    expect(lex("[a", "sqlite")).toEqual(["quoted [a=a!"]);
    expect(lex("/* a", "sqlite")).toEqual(["block-comment /* a!"]);
    expect(lex("'a\\", "mysql")).toEqual(["string 'a\\=a!"]);
  });

  it("reads `--x` opening a statement as a comment where the client does (MySQL), and as minus signs inside one", () => {
    const atStart = (sql: string, dialect: DialectName): string[] => {
      const lexer = new SqlLexer(sql, LEXICAL_RULES[dialect]);
      lexer.atStatementStart = true;
      const end = lexer.scan(0);
      return [lexer.kind, sql.slice(0, end)];
    };
    expect(atStart("--x\nSELECT 1", "mysql")).toEqual(["line-comment", "--x"]);
    expect(lex("--x", "mysql")).toEqual(["punct -", "punct -", "word x"]);
    expect(atStart("--x\nSELECT 1", "sqlite")).toEqual(["line-comment", "--x"]);
    expect(atStart("--x\nSELECT 1", "postgres")).toEqual(["line-comment", "--x"]);
  });

  it("reads MariaDB's /*M! executable comments as code on MySQL only", () => {
    expect(lex("/*M!100100 DROP */", "mysql")).toEqual(["executable-open /*M!100100", "word DROP", "executable-close */"]);
    expect(lex("/*M!100100 DROP */", "postgres")).toEqual(["block-comment /*M!100100 DROP */"]);
    expect(lex("/*Mx */", "mysql")).toEqual(["block-comment /*Mx */"]);
  });

  it("every rule of the table is read by some test", () => {
    // A new rule must come with tests: this lists the rules these tests and the splitter's
    // (delimiterDirective, keepsStatementEnd, crlfAsLf: test/unit/sql/splitter.test.ts) were written for.
    expect(Object.keys(LEXICAL_RULES.mysql).sort()).toEqual([
      "atVariables",
      "backslashEscapes",
      "backtickIdentifiers",
      "bracketIdentifiers",
      "crlfAsLf",
      "dashCommentNeedsSpace",
      "dashCommentOpensStatement",
      "delimiterDirective",
      "dialect",
      "dollarQuotes",
      "doubleQuotedStrings",
      "escapeStringPrefix",
      "executableComments",
      "hashComments",
      "keepsStatementEnd",
      "nestedBlockComments",
    ]);
  });
});
