// The parser is recursive descent over the lexer's tokens, one statement a line.
//
// Each statement is parsed by a function that reports what it finds wrong and
// either goes on (a semantic error: the shape is still clear) or throws
// StatementError (a syntax error: the rest of the line cannot be trusted); the loop
// catches it and resumes at the next line, so one file yields all its diagnostics
// and never more than one cascade per line. A filter block whose header fails is
// skipped whole, so its rules do not read as statements.
//
// Names live in one symbol table filled in file order: processes, filters, buffers
// and every `-> NAME`. A pre-scan of the tokens remembers where each name is
// declared, so a name used too early gets "used before … (line N)" instead of
// "unknown". Static process numbers follow fork() and thread() so that store/load
// can check that a buffer lives in the actor's memory.
#include "scenarios/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "bpf/assembler.h"
#include "bpf/compiler.h"
#include "model/layout.h"
#include "model/signals.h"
#include "model/syscall_table.h"
#include "scenarios/constants.h"
#include "scenarios/lexer.h"

namespace sclab::scn {
namespace {

using TK = Token::Kind;

struct StatementError {};

struct Symbol {
  // kAny stands for a name whose declaring statement had a syntax error: every use
  // of it is accepted silently, so one mistake gives one diagnostic.
  enum class Kind : uint8_t { kTask, kFilter, kBuffer, kNotification, kSizes, kValue, kAny };
  Kind kind = Kind::kValue;
  Loc loc;
  bool awaitable = false;  // bound by a `&` step: `await NAME` may wait for it
  bool thread = false;     // a task made by thread()
  int process = -1;        // tasks: their static process number
  uint64_t size = 0;       // buffers
  std::set<int> owners;    // buffers: the processes whose memory holds them
  // Proposal verb bindings: the fields they add (ProposalVerb::fields).
  std::vector<std::string> fields;
};

std::string Describe(const Symbol& s) {
  switch (s.kind) {
    case Symbol::Kind::kTask:
      return s.thread ? "a thread" : "a task";
    case Symbol::Kind::kFilter:
      return "a filter";
    case Symbol::Kind::kBuffer:
      return "a buffer";
    case Symbol::Kind::kNotification:
      return "a notification";
    case Symbol::Kind::kSizes:
      return "the notification sizes";
    case Symbol::Kind::kValue:
      return "a value";
    case Symbol::Kind::kAny:
      return "a name";
  }
  return "a name";
}

// What a position in the grammar accepts.
enum class Want : uint8_t {
  kValue,    // a number: constants, values, tasks (pid), buffers (address), fields
  kAddress,  // as kValue, or a string literal
  kConst,    // constants only (filters, sizes, header numbers)
};

constexpr std::string_view kKeywords[] = {
    "runner",  "bad_addr", "killed",   "exited", "gone",     "blocked",  "privileged",   "default",
    "bpf",     "if",       "and",      "mem",    "store",    "load",     "await",        "expect",
    "process", "filter",   "scenario", "about",  "requires", "seed",     "zeros",        "bytes",
    "u8",      "u16",      "u32",      "u64",    "sigsys",   "continue", "concurrently", "ptrace"};

constexpr std::string_view kNotificationFields =
    "id, pid, flags, data.nr, data.arch, data.args[0] … data.args[5]";
constexpr std::string_view kSizesFields = "seccomp_notif, seccomp_notif_resp, seccomp_data";
constexpr std::string_view kSigsysKeys[] = {"signo", "code", "errno", "syscall", "arch"};

bool IsKeyword(std::string_view name) {
  return std::find(std::begin(kKeywords), std::end(kKeywords), name) != std::end(kKeywords);
}

// FieldsText joins a field path back into its written form ("data.args[2]").
std::string FieldsText(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    const bool index = !fields[i].empty() && fields[i][0] >= '0' && fields[i][0] <= '9';
    if (index) {
      out += "[" + fields[i] + "]";
    } else {
      if (i > 0) {
        out += '.';
      }
      out += fields[i];
    }
  }
  return out;
}

bool ValidNotificationField(const std::vector<std::string>& f) {
  if (f.size() == 1) {
    return f[0] == "id" || f[0] == "pid" || f[0] == "flags";
  }
  if (f.size() == 2) {
    return f[0] == "data" && (f[1] == "nr" || f[1] == "arch");
  }
  return f.size() == 3 && f[0] == "data" && f[1] == "args" && f[2].size() == 1 && f[2][0] >= '0' &&
         f[2][0] <= '5';
}

bool ValidSizesField(const std::vector<std::string>& f) {
  return f.size() == 1 &&
         (f[0] == "seccomp_notif" || f[0] == "seccomp_notif_resp" || f[0] == "seccomp_data");
}

// CollapseBlanks squeezes runs of blanks outside string literals into one space.
std::string CollapseBlanks(std::string_view text) {
  std::string out;
  bool in_string = false;
  bool blank = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      blank = true;
      continue;
    }
    if (blank && !out.empty()) {
      out += ' ';
    }
    blank = false;
    out += c;
    if (c == '"') {
      in_string = true;
    }
  }
  return out;
}

uint64_t Fold(char op, uint64_t a, uint64_t b) {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    default:
      return a | b;
  }
}

// The fault signals handle() refuses and the job-control signals signal()/kill()
// refuse in version 1 (docs/execution.md §3 and the lead's decisions).
bool IsFaultSignal(uint64_t sig) {
  return sig == model::kSigIll || sig == model::kSigSegv || sig == 7 /* SIGBUS */ ||
         sig == model::kSigFpe || sig == model::kSigTrap;
}
bool IsJobControlSignal(uint64_t sig) {
  return sig == model::kSigStop || sig == 20 /* SIGTSTP */ || sig == 21 /* SIGTTIN */ ||
         sig == 22 /* SIGTTOU */ || sig == model::kSigCont;
}

constexpr uint64_t kChannelFdNumber = 1023;  // machine.h kChannelFd

// RawArg is an argument before the verb's rules place it.
struct RawArg {
  std::string key;   // "" when positional
  std::string word;  // a bare word the verb accepts (continue, restart …)
  Expr value;
  Loc loc;
};

class Parser {
 public:
  Parser(std::string_view file, std::string_view text, const ParseOptions& options)
      : file_(file),
        text_(text),
        proposals_(options.proposals != nullptr ? *options.proposals : BuiltinProposalVerbs()) {}

  ParseResult Run() {
    LexResult lexed = Lex(file_, text_);
    diagnostics_ = std::move(lexed.diagnostics);
    tokens_ = std::move(lexed.tokens);
    PreScan();
    scenario_.file = std::string(file_);
    while (Peek().kind != TK::kEnd) {
      if (Peek().kind == TK::kNewline) {
        ++pos_;
        continue;
      }
      try {
        Statement();
        EndOfStatement();
      } catch (const StatementError&) {
        SkipLine();
      }
    }
    if (!seen_statement_) {
      Report(Loc{1, 1}, "missing `scenario \"TITLE\"`: it must be the first statement");
    }
    CheckProposalUses();
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return std::pair(a.loc.line, a.loc.col) < std::pair(b.loc.line, b.loc.col);
                     });
    ParseResult result;
    result.diagnostics = std::move(diagnostics_);
    if (result.diagnostics.empty()) {
      result.scenario = std::move(scenario_);
    }
    return result;
  }

 private:
  // ---- tokens ---------------------------------------------------------------

  const Token& Peek(size_t ahead = 0) const {
    const size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Next() {
    const Token& t = Peek();
    if (t.kind != TK::kEnd) {
      ++pos_;
    }
    return t;
  }
  bool AtEndOfLine() const { return Peek().kind == TK::kNewline || Peek().kind == TK::kEnd; }
  bool PeekPunct(std::string_view p) const { return Peek().IsPunct(p); }
  bool PeekName(std::string_view n) const { return Peek().IsName(n); }

  static std::string Spell(const Token& t) {
    switch (t.kind) {
      case TK::kNewline:
        return "the end of the line";
      case TK::kEnd:
        return "the end of the file";
      case TK::kString:
        return "a string";
      case TK::kTripleString:
        return "a \"\"\" string";
      case TK::kRawBlock:
        return "a bpf block";
      case TK::kRawBytes:
        return "a byte list";
      default:
        return "`" + t.text + "`";
    }
  }

  void Report(Loc loc, std::string message) {
    for (const Diagnostic& d : diagnostics_) {
      if (d.loc == loc && d.message == message) {
        return;
      }
    }
    diagnostics_.push_back(MakeDiagnostic(file_, text_, loc, std::move(message)));
  }
  [[noreturn]] void Fail(Loc loc, std::string message) {
    Report(loc, std::move(message));
    throw StatementError{};
  }
  [[noreturn]] void FailExpected(std::string_view what) {
    Fail(Peek().loc, fmt::format("expected {}, found {}", what, Spell(Peek())));
  }

  const Token& ExpectPunct(std::string_view p) {
    if (!PeekPunct(p)) {
      FailExpected(fmt::format("`{}`", p));
    }
    return Next();
  }
  const Token& ExpectName(std::string_view what) {
    if (Peek().kind != TK::kName) {
      FailExpected(what);
    }
    return Next();
  }
  void ExpectKeyword(std::string_view word) {
    if (!PeekName(word)) {
      FailExpected(fmt::format("`{}`", word));
    }
    Next();
  }

  void EndOfStatement() {
    if (!AtEndOfLine()) {
      Fail(Peek().loc, fmt::format("unexpected {} after the statement", Spell(Peek())));
    }
  }
  void SkipLine() {
    while (!AtEndOfLine()) {
      Next();
    }
  }

  // TextFrom is the source from token `first` to the token before pos_, blanks collapsed.
  std::string TextFrom(size_t first) const {
    if (pos_ <= first) {
      return {};
    }
    const size_t begin = tokens_[first].begin;
    const size_t end = tokens_[pos_ - 1].end;
    return CollapseBlanks(text_.substr(begin, end - begin));
  }

  // ---- names ----------------------------------------------------------------

  // PreScan records the first line declaring each name, for "used before" hints.
  void PreScan() {
    for (size_t i = 0; i + 1 < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      const Token& n = tokens_[i + 1];
      const bool declares =
          t.IsPunct("->") || t.IsName("process") || t.IsName("filter") || t.IsName("mem");
      if (declares && n.kind == TK::kName && !later_.count(n.text)) {
        later_[n.text] = n.loc.line;
      }
    }
  }

  const Symbol* Find(std::string_view name) const {
    const auto it = symbols_.find(std::string(name));
    return it == symbols_.end() ? nullptr : &it->second;
  }

  // Declare adds a name; false (after a diagnostic) when it cannot be used.
  bool Declare(const std::string& name, Loc loc, Symbol symbol) {
    if (IsKeyword(name)) {
      Report(loc, fmt::format("`{}` is a keyword and cannot name anything", name));
      return false;
    }
    const ConstantMatch c = LookupConstant(name);
    if (c.status != ConstantMatch::Status::kUnknown) {
      const std::string what = c.status == ConstantMatch::Status::kFound
                                   ? fmt::format("{} = {}", c.constant.name, c.constant.value)
                                   : std::string("a seccomp constant");
      Report(loc, fmt::format("`{}` is already a constant ({}); choose another name", name, what));
      return false;
    }
    if (const Symbol* old = Find(name)) {
      Report(loc,
             fmt::format("duplicate name `{}` (first declared on line {})", name, old->loc.line));
      return false;
    }
    symbol.loc = loc;
    symbols_.emplace(name, std::move(symbol));
    return true;
  }

  std::string UnknownName(std::string_view name, Loc loc) const {
    const auto it = later_.find(std::string(name));
    if (it != later_.end() && it->second > loc.line) {
      return fmt::format("`{}` is used before it is declared (on line {})", name, it->second);
    }
    return fmt::format("unknown name `{}`", name);
  }

  // ---- expressions ------------------------------------------------------------

  Expr Expression() {
    Expr e = Sum();
    while (PeekPunct("|")) {
      Next();
      e = Binary('|', std::move(e), Sum());
    }
    return e;
  }
  Expr Sum() {
    Expr e = Unary();
    while (PeekPunct("+") || PeekPunct("-")) {
      const char op = Next().text[0];
      e = Binary(op, std::move(e), Unary());
    }
    return e;
  }
  Expr Unary() {
    if (PeekPunct("-")) {
      const Loc loc = Next().loc;
      Expr e;
      e.kind = Expr::Kind::kNegate;
      e.loc = loc;
      e.kids.push_back(Unary());
      return e;
    }
    return Primary();
  }
  static Expr Binary(char op, Expr a, Expr b) {
    Expr e;
    e.kind = Expr::Kind::kBinary;
    e.op = op;
    e.loc = a.loc;
    e.kids.push_back(std::move(a));
    e.kids.push_back(std::move(b));
    return e;
  }
  Expr Primary() {
    const Token& t = Peek();
    Expr e;
    e.loc = t.loc;
    switch (t.kind) {
      case TK::kNumber:
        e.kind = Expr::Kind::kNumber;
        e.number = t.number;
        e.text = t.text;
        Next();
        return e;
      case TK::kString:
        e.kind = Expr::Kind::kString;
        e.text = t.text;
        Next();
        return e;
      case TK::kName:
        if (t.text == "bad_addr") {
          e.kind = Expr::Kind::kBadAddr;
          e.text = t.text;
          Next();
          return e;
        }
        e.kind = Expr::Kind::kRef;
        e.text = t.text;
        Next();
        FieldPath(&e.fields);
        return e;
      default:
        if (t.IsPunct("(")) {
          Next();
          Expr inner = Expression();
          ExpectPunct(")");
          return inner;
        }
        FailExpected("a value");
    }
  }
  void FieldPath(std::vector<std::string>* fields) {
    while (true) {
      if (PeekPunct(".") && Peek(1).kind == TK::kName) {
        Next();
        fields->push_back(Next().text);
      } else if (PeekPunct("[")) {
        Next();
        if (Peek().kind != TK::kNumber) {
          FailExpected("an index");
        }
        fields->push_back(std::to_string(Next().number));
        ExpectPunct("]");
      } else {
        return;
      }
    }
  }

  // Resolve checks an expression against what its position wants, replaces constant
  // names by their values and folds constant arithmetic. Errors are reported; the
  // statement goes on.
  void Resolve(Expr* e, Want want, ConstantHint hint = ConstantHint::kNone) {
    switch (e->kind) {
      case Expr::Kind::kNumber:
      case Expr::Kind::kBadAddr:
        if (e->kind == Expr::Kind::kBadAddr && want == Want::kConst) {
          Report(e->loc, "`bad_addr` is not allowed here (a constant is needed)");
        }
        return;
      case Expr::Kind::kString:
        if (want != Want::kAddress) {
          Report(e->loc, "a string is only allowed where an address is expected");
        }
        return;
      case Expr::Kind::kRef:
        return ResolveRef(e, want, hint);
      case Expr::Kind::kNegate:
      case Expr::Kind::kBinary: {
        for (Expr& kid : e->kids) {
          Resolve(&kid, want == Want::kAddress ? Want::kValue : want, hint);
        }
        const bool constant = std::all_of(e->kids.begin(), e->kids.end(), [](const Expr& k) {
          return k.kind == Expr::Kind::kNumber;
        });
        if (!constant) {
          return;
        }
        const std::string spelled = e->kind == Expr::Kind::kNegate
                                        ? "-" + e->kids[0].text
                                        : e->kids[0].text + e->op + e->kids[1].text;
        e->number = e->kind == Expr::Kind::kNegate
                        ? uint64_t{0} - e->kids[0].number
                        : Fold(e->op, e->kids[0].number, e->kids[1].number);
        e->kind = Expr::Kind::kNumber;
        e->text = spelled;
        e->kids.clear();
        return;
      }
    }
  }

  void ResolveRef(Expr* e, Want want, ConstantHint hint) {
    if (e->text == "runner" && e->fields.empty() && want != Want::kConst) {
      return;  // its pid
    }
    if (const Symbol* s = Find(e->text)) {
      if (s->kind == Symbol::Kind::kAny) {
        return;
      }
      if (want == Want::kConst) {
        Report(e->loc,
               fmt::format("`{}` is {}; only constants are allowed here", e->text, Describe(*s)));
        return;
      }
      CheckFields(*e, *s);
      return;
    }
    if (!e->fields.empty()) {
      Report(e->loc, UnknownName(e->text, e->loc));
      return;
    }
    const ConstantMatch c = LookupConstant(e->text, hint);
    switch (c.status) {
      case ConstantMatch::Status::kFound:
        e->kind = Expr::Kind::kNumber;
        e->number = c.constant.value;
        return;
      case ConstantMatch::Status::kAmbiguous: {
        std::string options;
        for (const Constant& k : c.candidates) {
          options += fmt::format("{}{} ({:#x})", options.empty() ? "" : " or ", k.name, k.value);
        }
        Report(e->loc, fmt::format("`{}` is ambiguous here: write {}", e->text, options));
        return;
      }
      case ConstantMatch::Status::kUnknown:
        Report(e->loc, UnknownName(e->text, e->loc));
        return;
    }
  }

  static bool HasField(const Symbol& s, const std::string& path) {
    return std::find(s.fields.begin(), s.fields.end(), path) != s.fields.end();
  }

  static std::string NotificationFieldsOf(const Symbol& s) {
    std::string out(kNotificationFields);
    for (const std::string& f : s.fields) {
      out += ", " + f;
    }
    return out;
  }

  // CheckFields reports a field path a binding does not have, or a binding that
  // cannot stand as a number without one.
  void CheckFields(const Expr& e, const Symbol& s) {
    const std::string path = FieldsText(e.fields);
    switch (s.kind) {
      case Symbol::Kind::kNotification:
        if (e.fields.empty()) {
          Report(e.loc, fmt::format("`{}` is a notification, not a number: use one of its "
                                    "fields ({})",
                                    e.text, NotificationFieldsOf(s)));
        } else if (!ValidNotificationField(e.fields) && !HasField(s, path)) {
          Report(e.loc, fmt::format("unknown field `{}` of notification `{}` (it has {})", path,
                                    e.text, NotificationFieldsOf(s)));
        }
        return;
      case Symbol::Kind::kSizes:
        if (e.fields.empty()) {
          Report(e.loc,
                 fmt::format("`{}` holds three sizes, not a number: use {}", e.text, kSizesFields));
        } else if (!ValidSizesField(e.fields)) {
          Report(e.loc,
                 fmt::format("unknown field `{}` of `{}` (it has {})", path, e.text, kSizesFields));
        }
        return;
      case Symbol::Kind::kFilter:
        Report(e.loc, fmt::format("`{}` is a filter, not a number; only install() takes a "
                                  "filter",
                                  e.text));
        return;
      default:
        if (!e.fields.empty() && !s.fields.empty() && !HasField(s, path)) {
          Report(e.loc, fmt::format("unknown field `{}` of `{}` (it has {})", path, e.text,
                                    fmt::join(s.fields, ", ")));
        } else if (!e.fields.empty() && s.fields.empty()) {
          Report(e.loc, fmt::format("unknown field `{}` of `{}` ({} has no fields)", path, e.text,
                                    Describe(s)));
        }
        return;
    }
  }

  Expr ValueExpr(Want want = Want::kValue, ConstantHint hint = ConstantHint::kNone) {
    Expr e = Expression();
    Resolve(&e, want, hint);
    return e;
  }

  // ConstantValue parses a constant expression; nullopt (after a report) if it is not one.
  std::optional<uint64_t> ConstantValue(std::string_view what,
                                        ConstantHint hint = ConstantHint::kNone) {
    const size_t reported = diagnostics_.size();
    Expr e = ValueExpr(Want::kConst, hint);
    if (e.kind != Expr::Kind::kNumber) {
      if (diagnostics_.size() == reported) {
        Report(e.loc, fmt::format("{} must be a constant", what));
      }
      return std::nullopt;
    }
    return e.number;
  }

  // ---- statements ---------------------------------------------------------------

  void Statement() {
    const Token& first = Peek();
    if (first.kind != TK::kName) {
      FailExpected("a statement");
    }
    const bool is_first = !seen_statement_;
    seen_statement_ = true;
    if (first.text == "scenario") {
      if (!is_first) {
        Report(first.loc, "`scenario` must be the first statement, and appear once");
      }
      return Title();
    }
    if (is_first) {
      Report(first.loc, "the first statement must be `scenario \"TITLE\"`");
    }
    static constexpr std::pair<std::string_view, void (Parser::*)()> kStatements[] = {
        {"about", &Parser::About},     {"requires", &Parser::Requires}, {"seed", &Parser::Seed},
        {"process", &Parser::Process}, {"filter", &Parser::Filter},     {"await", &Parser::Await},
        {"expect", &Parser::Expect}};
    for (const auto& [word, statement] : kStatements) {
      if (first.text == word) {
        return (this->*statement)();
      }
    }
    if (first.text == "concurrently" || first.text == "ptrace") {
      Fail(first.loc,
           fmt::format("`{}` is reserved for a later version of the language", first.text));
    }
    if (first.text == "arch") {
      Fail(first.loc, "other architectures are reserved for a later version of the language");
    }
    if (Peek(1).IsPunct(":")) {
      return TaskStep();
    }
    Fail(first.loc, fmt::format("unknown statement `{}` (a step is `ACTOR: CALL`)", first.text));
  }

  void Title() {
    Next();
    if (Peek().kind != TK::kString) {
      FailExpected("the title as a \"string\"");
    }
    scenario_.title = Next().text;
  }

  void About() {
    const Token& kw = Next();
    if (Peek().kind != TK::kString && Peek().kind != TK::kTripleString) {
      FailExpected("the about text as a \"string\" or \"\"\"string\"\"\"");
    }
    if (seen_about_) {
      Report(kw.loc, "`about` may appear only once");
    }
    seen_about_ = true;
    scenario_.about = Next().text;
  }

  void Requires() {
    const Token& kw = Next();
    if (PeekName("kernel")) {
      Next();
      ExpectPunct(">=");
      if (Peek().kind != TK::kNumber) {
        FailExpected("a kernel version X.Y");
      }
      const Token& major = Next();
      ExpectPunct(".");
      if (Peek().kind != TK::kNumber) {
        FailExpected("a kernel version X.Y");
      }
      const Token& minor = Next();
      if (major.number > 1000 || minor.number > 1000) {
        Fail(major.loc, "not a kernel version");
      }
      if (scenario_.requires_kernel) {
        Report(kw.loc, "`requires kernel` may appear only once");
      }
      scenario_.requires_kernel =
          std::pair(static_cast<int>(major.number), static_cast<int>(minor.number));
      return;
    }
    if (PeekName("proposal")) {
      Next();
      const Token& name = ExpectName("a proposal name");
      if (!proposals_.KnowsProposal(name.text)) {
        const std::vector<std::string> known = proposals_.Proposals();
        Report(name.loc,
               fmt::format("unknown proposal `{}` (known: {})", name.text,
                           known.empty() ? "none yet" : fmt::format("{}", fmt::join(known, ", "))));
      }
      scenario_.requires_proposals.push_back(name.text);
      ProposalAbi abi;
      abi.name = name.text;
      // Optional `user=old|new` and `kernel=old|new`: the ABI versions of the
      // scenario's userspace and of the simulated kernel (default new).
      while (PeekName("user") || PeekName("kernel")) {
        const Token& which = Next();
        ExpectPunct("=");
        const Token& version = ExpectName("`old` or `new`");
        if (version.text != "old" && version.text != "new") {
          Fail(version.loc, fmt::format("expected `old` or `new`, found `{}`", version.text));
        }
        (which.text == "user" ? abi.user_old : abi.kernel_old) = version.text == "old";
      }
      scenario_.proposal_abis.push_back(std::move(abi));
      return;
    }
    if (PeekName("arch")) {
      Fail(Peek().loc, "other architectures are reserved for a later version of the language");
    }
    FailExpected("`kernel >= X.Y` or `proposal NAME`");
  }

  void Seed() {
    const Token& kw = Next();
    if (Peek().kind != TK::kNumber) {
      FailExpected("a seed number");
    }
    if (scenario_.seed_given) {
      Report(kw.loc, "`seed` may appear only once");
    }
    scenario_.seed = Next().number;
    scenario_.seed_given = true;
  }

  void Process() {
    Next();
    const Token& name = ExpectName("a process name");
    ProcessDecl decl;
    decl.name = name.text;
    decl.loc = name.loc;
    if (PeekName("privileged")) {
      Next();
      decl.privileged = true;
    }
    Symbol s;
    s.kind = Symbol::Kind::kTask;
    s.process = next_process_++;
    if (Declare(name.text, name.loc, s)) {
      scenario_.processes.push_back(decl);
    }
  }

  // ---- filters --------------------------------------------------------------------

  // SkipBlock skips the body of a filter block after a failed header, up to its
  // closing `}` line, when the header line opened one.
  void SkipBlock(size_t header_start) {
    bool opened = false;
    for (size_t i = header_start; i < tokens_.size(); ++i) {
      if (tokens_[i].kind == TK::kNewline || tokens_[i].kind == TK::kEnd) {
        break;
      }
      opened = tokens_[i].IsPunct("{");
    }
    SkipLine();
    if (!opened) {
      return;
    }
    while (Peek().kind != TK::kEnd) {
      if (Peek().kind == TK::kNewline) {
        Next();
        if (PeekPunct("}")) {
          Next();
          return;
        }
        continue;
      }
      Next();
    }
  }

  void Filter() {
    const size_t start = pos_;
    Next();
    FilterDecl decl;
    bpf::RuleList rules;
    std::vector<Loc> rule_locs;
    Loc default_loc;
    try {
      const Token& name = ExpectName("a filter name");
      decl.name = name.text;
      decl.loc = name.loc;
      if (PeekName("bpf")) {
        Next();
        decl.raw = true;
      } else if (PeekName("default")) {
        Next();
        default_loc = Peek().loc;
        rules.default_action = Action();
      } else if (PeekName("arch")) {
        Fail(Peek().loc, "other architectures are reserved for a later version of the language");
      }
      ExpectPunct("{");
      if (!AtEndOfLine()) {
        FailExpected("the end of the line after `{`");
      }
    } catch (const StatementError&) {
      pos_ = start;
      SkipBlock(start);
      throw;
    }
    Next();  // the newline
    Symbol s;
    s.kind = Symbol::Kind::kFilter;
    const bool declared = Declare(decl.name, decl.loc, s);
    const size_t reported = diagnostics_.size();
    if (decl.raw) {
      RawFilterBody(&decl);
    } else {
      RuleBody(&rules, &rule_locs);
      if (diagnostics_.size() == reported) {
        CompileRules(rules, rule_locs, default_loc, decl.loc, &decl);
      }
    }
    if (declared) {
      scenario_.filters.push_back(std::move(decl));
    }
  }

  void RawFilterBody(FilterDecl* decl) {
    if (Peek().kind != TK::kRawBlock) {
      FailExpected("the bpf block");
    }
    const Token& block = Next();
    if (PeekPunct("}")) {
      Next();
    }
    bpf::Outcome<std::vector<bpf::Insn>, std::vector<bpf::AsmError>> assembled =
        bpf::Assemble(block.text);
    if (!assembled.ok()) {
      for (const bpf::AsmError& err : assembled.error()) {
        const uint32_t line = block.loc.line + static_cast<uint32_t>(std::max(err.line, 1)) - 1;
        Report(Loc{line, static_cast<uint32_t>(std::max(err.column, 1))}, err.message);
      }
      return;
    }
    decl->program = std::move(assembled).value();
  }

  void RuleBody(bpf::RuleList* rules, std::vector<Loc>* locs) {
    while (true) {
      if (Peek().kind == TK::kEnd) {
        Fail(Peek().loc, "the filter block has no closing `}` line");
      }
      if (Peek().kind == TK::kNewline) {
        Next();
        continue;
      }
      if (PeekPunct("}")) {
        Next();
        return;
      }
      const Loc loc = Peek().loc;
      try {
        bpf::Rule rule = Rule();
        if (!AtEndOfLine()) {
          Fail(Peek().loc, fmt::format("unexpected {} after the rule", Spell(Peek())));
        }
        rules->rules.push_back(std::move(rule));
        locs->push_back(loc);
      } catch (const StatementError&) {
        SkipLine();
      }
    }
  }

  bpf::Rule Rule() {
    bpf::Rule rule;
    const Token& sys = Peek();
    if (sys.kind == TK::kNumber) {
      rule.nr = static_cast<int>(Next().number);
    } else if (sys.kind == TK::kName) {
      Next();
      const ConstantMatch c = LookupConstant(sys.text);
      if (c.status == ConstantMatch::Status::kFound && c.constant.kind == ConstantKind::kSyscall) {
        rule.nr = static_cast<int>(c.constant.value);
      } else if (c.status == ConstantMatch::Status::kUnknown) {
        Report(sys.loc, fmt::format("unknown syscall `{}`", sys.text));
      } else {
        Report(sys.loc, fmt::format("`{}` is not a syscall name", sys.text));
      }
    } else {
      FailExpected("a syscall name");
    }
    if (PeekName("if")) {
      Next();
      rule.conds.push_back(Condition());
      while (PeekName("and")) {
        Next();
        rule.conds.push_back(Condition());
      }
    }
    ExpectPunct("->");
    rule.action = Action();
    return rule;
  }

  bpf::ArgCmp Condition() {
    const Token& arg = Peek();
    if (arg.kind != TK::kName || arg.text.size() != 4 || arg.text.substr(0, 3) != "arg" ||
        arg.text[3] < '0' || arg.text[3] > '5') {
      FailExpected("arg0 … arg5");
    }
    Next();
    bpf::ArgCmp cmp;
    cmp.arg = static_cast<unsigned>(arg.text[3] - '0');
    if (PeekPunct("&")) {
      Next();
      cmp.mask = ConstantValue("a mask").value_or(0);
      ExpectPunct("==");
      cmp.op = bpf::ArgCmp::Op::kMaskedEq;
      cmp.value = ConstantValue("a compared value").value_or(0);
      return cmp;
    }
    static constexpr std::pair<std::string_view, bpf::ArgCmp::Op> kOps[] = {
        {"==", bpf::ArgCmp::Op::kEq}, {"!=", bpf::ArgCmp::Op::kNe}, {"<", bpf::ArgCmp::Op::kLt},
        {"<=", bpf::ArgCmp::Op::kLe}, {">", bpf::ArgCmp::Op::kGt},  {">=", bpf::ArgCmp::Op::kGe}};
    for (const auto& [text, op] : kOps) {
      if (PeekPunct(text)) {
        Next();
        cmp.op = op;
        cmp.value = ConstantValue("a compared value").value_or(0);
        return cmp;
      }
    }
    FailExpected("a comparison (== != < <= > >=, or & MASK ==)");
  }

  uint32_t Action() {
    const Token& t = Peek();
    if (t.kind != TK::kName) {
      FailExpected("an action");
    }
    static constexpr std::pair<std::string_view, uint32_t> kPlain[] = {
        {"allow", 0x7fff0000U}, {"kill_process", 0x80000000U}, {"kill_thread", 0},
        {"trap", 0x00030000U},  {"notify", 0x7fc00000U},       {"log", 0x7ffc0000U}};
    for (const auto& [name, value] : kPlain) {
      if (t.text == name) {
        Next();
        return value;
      }
    }
    if (t.text == "errno" || t.text == "trace") {
      Next();
      ExpectPunct("(");
      const Loc loc = Peek().loc;
      const uint64_t data = ConstantValue(fmt::format("{}()'s value", t.text)).value_or(0);
      ExpectPunct(")");
      if (data > 0xffff) {
        Report(loc, fmt::format("{}() takes 0 … 65535", t.text));
      }
      return (t.text == "errno" ? 0x00050000U : 0x7ff00000U) | static_cast<uint32_t>(data & 0xffff);
    }
    Fail(t.loc, fmt::format("unknown action `{}` (allow, kill_process, kill_thread, trap, "
                            "errno(E), notify, trace(N), log)",
                            t.text));
  }

  // CompileRules asks libseccomp for the program; when it refuses, the first prefix
  // of the rules it refuses points at the rule to blame.
  void CompileRules(const bpf::RuleList& rules, const std::vector<Loc>& locs, Loc default_loc,
                    Loc name_loc, FilterDecl* decl) {
    auto compiled = bpf::Compile(rules);
    if (compiled.ok()) {
      decl->program = std::move(compiled).value();
      return;
    }
    bpf::RuleList prefix;
    prefix.default_action = rules.default_action;
    auto base = bpf::Compile(prefix);
    if (!base.ok()) {
      Report(default_loc.line != 0 ? default_loc : name_loc, base.error());
      return;
    }
    for (size_t i = 0; i < rules.rules.size(); ++i) {
      prefix.rules.push_back(rules.rules[i]);
      auto attempt = bpf::Compile(prefix);
      if (!attempt.ok()) {
        Report(locs[i], attempt.error());
        return;
      }
    }
    Report(name_loc, compiled.error());
  }

  // ---- runner statements ------------------------------------------------------------

  void Await() {
    const size_t start = pos_;
    Step step;
    step.kind = Step::Kind::kAwait;
    step.loc = Next().loc;
    const Token& target = ExpectName("a `&` binding or a task to await");
    step.target = target.text;
    const Symbol* s = Find(target.text);
    bool task = false;
    if (s == nullptr) {
      Report(target.loc, UnknownName(target.text, target.loc));
    } else if (s->kind == Symbol::Kind::kTask && !s->awaitable) {
      task = true;
    } else if (!s->awaitable && s->kind != Symbol::Kind::kAny) {
      Report(target.loc, fmt::format("`{}` is {} bound without `&`: only a `&` call or a task "
                                     "can be awaited",
                                     target.text, Describe(*s)));
    }
    if (PeekPunct("=")) {
      Next();
      step.result = Result(task);
    }
    step.text = TextFrom(start);
    scenario_.steps.push_back(std::move(step));
  }

  void Expect() {
    const size_t start = pos_;
    Step step;
    step.loc = Next().loc;
    if (Peek().kind == TK::kName && Peek(1).IsPunct(".") && Peek(2).IsName("sigsys")) {
      return ExpectSigsys(start, std::move(step));
    }
    step.kind = Step::Kind::kExpect;
    step.lhs = ValueExpr();
    static constexpr std::string_view kOps[] = {"==", "!=", "<", "<=", ">", ">="};
    for (std::string_view op : kOps) {
      if (PeekPunct(op)) {
        step.op = std::string(op);
        Next();
        break;
      }
    }
    if (step.op.empty()) {
      if (PeekPunct("=")) {
        Fail(Peek().loc, "expect compares with `==`, not `=`");
      }
      FailExpected("a comparison (== != < <= > >=)");
    }
    step.rhs = ValueExpr();
    step.text = TextFrom(start);
    scenario_.steps.push_back(std::move(step));
  }

  void ExpectSigsys(size_t start, Step step) {
    step.kind = Step::Kind::kExpectSigsys;
    const Token& task = Next();
    step.target = task.text;
    const Symbol* s = Find(task.text);
    if (s == nullptr) {
      Report(task.loc, UnknownName(task.text, task.loc));
    } else if (s->kind != Symbol::Kind::kTask && s->kind != Symbol::Kind::kAny) {
      Report(task.loc,
             fmt::format("`{}` is {}; only a task has `.sigsys`", task.text, Describe(*s)));
    }
    Next();  // .
    Next();  // sigsys
    ExpectPunct("==");
    ExpectPunct("{");
    std::set<std::string> seen;
    while (!PeekPunct("}")) {
      const Token& key = ExpectName("a siginfo field (signo, code, errno, syscall, arch)");
      if (std::find(std::begin(kSigsysKeys), std::end(kSigsysKeys), key.text) ==
          std::end(kSigsysKeys)) {
        Report(key.loc, fmt::format("unknown siginfo field `{}` (signo, code, errno, syscall, "
                                    "arch)",
                                    key.text));
      } else if (!seen.insert(key.text).second) {
        Report(key.loc, fmt::format("`{}` appears twice", key.text));
      }
      ExpectPunct("=");
      step.sigsys.emplace_back(key.text, ValueExpr());
      if (!PeekPunct(",")) {
        break;
      }
      Next();
    }
    ExpectPunct("}");
    step.text = TextFrom(start);
    scenario_.steps.push_back(std::move(step));
  }

  // Result parses what follows `=`: killed(SIG), exited(N), gone, blocked, or a
  // value (`-E` with E in 1 … 4095 is an error).
  ResultSpec Result(bool task_only) {
    ResultSpec r;
    r.loc = Peek().loc;
    if (PeekName("killed") && Peek(1).IsPunct("(")) {
      Next();
      Next();
      r.kind = ResultSpec::Kind::kKilled;
      const Loc loc = Peek().loc;
      const uint64_t sig = ConstantValue("the signal").value_or(0);
      if (sig < 1 || sig > static_cast<uint64_t>(model::kNumSignals)) {
        Report(loc, "killed() takes a signal (SIGSYS, SIGKILL, …)");
      }
      r.number = static_cast<int>(sig & 0xff);
      ExpectPunct(")");
      return r;
    }
    if (PeekName("exited") && Peek(1).IsPunct("(")) {
      Next();
      Next();
      r.kind = ResultSpec::Kind::kExited;
      const Loc loc = Peek().loc;
      const uint64_t code = ConstantValue("the exit status").value_or(0);
      if (code > 255) {
        Report(loc, "exited() takes an exit status 0 … 255");
      }
      r.number = static_cast<int>(code & 0xff);
      ExpectPunct(")");
      return r;
    }
    if (PeekName("gone") || PeekName("blocked")) {
      r.kind = PeekName("gone") ? ResultSpec::Kind::kGone : ResultSpec::Kind::kBlocked;
      Next();
      return r;
    }
    if (task_only) {
      Fail(r.loc, "await of a task takes exited(N), killed(SIG), gone or blocked");
    }
    const bool negated = PeekPunct("-");
    r.value = ValueExpr();
    if (negated && r.value.kind == Expr::Kind::kNumber) {
      const uint64_t err = uint64_t{0} - r.value.number;
      if (err >= 1 && err <= 4095) {
        r.kind = ResultSpec::Kind::kError;
        r.number = static_cast<int>(err);
      }
    }
    return r;
  }

  // ---- task steps ---------------------------------------------------------------------

  // Actor checks the step's actor and returns its symbol (nullptr after a report).
  const Symbol* Actor(const Token& name) {
    if (name.text == "runner") {
      Report(name.loc,
             "`runner` cannot act: only tasks can (a `process`, or a fork()/thread() "
             "binding)");
      return nullptr;
    }
    const Symbol* s = Find(name.text);
    if (s == nullptr) {
      const auto it = later_.find(name.text);
      if (it != later_.end() && it->second > name.loc.line) {
        Report(name.loc,
               fmt::format("`{}` cannot act yet: it is created on line {}", name.text, it->second));
      } else {
        Report(name.loc, fmt::format("undeclared actor `{}`", name.text));
      }
      return nullptr;
    }
    if (s->kind == Symbol::Kind::kAny) {
      return nullptr;
    }
    if (s->kind != Symbol::Kind::kTask) {
      Report(name.loc,
             fmt::format("`{}` is {}, not a task: only tasks can act", name.text, Describe(*s)));
      return nullptr;
    }
    return s;
  }

  void TaskStep() {
    const Token& actor = Next();
    Next();  // :
    const size_t start = pos_;
    Step step;
    step.loc = actor.loc;
    step.actor = actor.text;
    const Symbol* who = Actor(actor);
    const int process = who != nullptr ? who->process : -1;
    try {
      if (PeekName("mem") && Peek(1).kind == TK::kName) {
        return Mem(start, std::move(step), process);
      }
      if ((PeekName("store") || PeekName("load")) && Peek(1).kind == TK::kName) {
        return StoreLoad(start, std::move(step), process);
      }
      CallStep(start, std::move(step), who);
    } catch (const StatementError&) {
      DeclareAnyOnLine(start);
      throw;
    }
  }

  // DeclareAnyOnLine gives the name a failed step would have declared (`-> NAME`,
  // `mem NAME`, or the recv@/fork@/thread@ name) the kind kAny.
  void DeclareAnyOnLine(size_t start) {
    for (size_t i = start; i + 1 < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      if (t.kind == TK::kNewline || t.kind == TK::kEnd) {
        break;
      }
      const bool declares = t.IsPunct("->") || (i == start && t.IsName("mem"));
      const Token& n = tokens_[i + 1];
      if (declares && n.kind == TK::kName && Find(n.text) == nullptr) {
        Symbol s;
        s.kind = Symbol::Kind::kAny;
        s.loc = n.loc;
        symbols_.emplace(n.text, s);
      }
      if (i == start && t.kind == TK::kName && tokens_[i + 1].IsPunct("(")) {
        const std::string generated = fmt::format("{}@{}", t.text, t.loc.line);
        Symbol s;
        s.kind = Symbol::Kind::kAny;
        s.loc = t.loc;
        symbols_.emplace(generated, s);
      }
    }
  }

  void Mem(size_t start, Step step, int process) {
    step.kind = Step::Kind::kMem;
    Next();
    const Token& name = Next();
    step.buffer = name.text;
    ExpectPunct("=");
    const Token& init = Peek();
    MemInit& m = step.init;
    uint64_t size = 0;
    if (init.kind == TK::kString) {
      m.kind = MemInit::Kind::kString;
      m.text = Next().text;
      size = ExpandedSize(m.text) + 1;
    } else if (init.IsName("zeros")) {
      Next();
      ExpectPunct("(");
      m.kind = MemInit::Kind::kZeros;
      m.size = ConstantValue("zeros()'s size").value_or(1);
      size = m.size;
      ExpectPunct(")");
    } else if (init.IsName("bytes")) {
      Next();
      ExpectPunct("(");
      m.kind = MemInit::Kind::kBytes;
      if (Peek().kind != TK::kRawBytes) {
        FailExpected("hex bytes");
      }
      const Token& raw = Next();
      m.bytes = HexBytes(raw);
      size = m.bytes.size();
      ExpectPunct(")");
    } else if (init.kind == TK::kName && Peek(1).IsPunct("{")) {
      StructInit(&m);
      size = m.size;
      if (size == 0) {
        size = 1;  // an unknown struct, already reported
      }
    } else {
      FailExpected("\"text\", zeros(N), bytes(…) or STRUCT { … }");
    }
    if (size == 0 || size > kBufferBytesMax) {
      Report(init.loc, fmt::format("a buffer holds 1 … {} bytes; this one would hold {}",
                                   kBufferBytesMax, size));
    }
    Symbol s;
    s.kind = Symbol::Kind::kBuffer;
    s.size = size;
    if (process >= 0) {
      s.owners.insert(process);
    }
    Declare(name.text, name.loc, s);
    step.text = TextFrom(start);
    scenario_.steps.push_back(std::move(step));
  }

  // ExpandedSize is the string's length once `$scratch` became the 17-character
  // scratch path (docs/execution.md §6).
  static uint64_t ExpandedSize(std::string_view text) {
    uint64_t size = text.size();
    for (size_t at = text.find("$scratch"); at != std::string_view::npos;
         at = text.find("$scratch", at + 1)) {
      size += 17 - 8;
    }
    return size;
  }

  std::vector<uint8_t> HexBytes(const Token& raw) {
    std::vector<uint8_t> bytes;
    size_t i = 0;
    const std::string& t = raw.text;
    while (i < t.size()) {
      if (t[i] == ' ' || t[i] == '\t') {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < t.size() && t[j] != ' ' && t[j] != '\t') {
        ++j;
      }
      const std::string item = t.substr(i, j - i);
      const bool hex = item.size() == 2 && std::isxdigit(static_cast<unsigned char>(item[0])) &&
                       std::isxdigit(static_cast<unsigned char>(item[1]));
      if (!hex) {
        Report(Loc{raw.loc.line, raw.loc.col + static_cast<uint32_t>(i)},
               fmt::format("`{}` is not a byte: write two hex digits (de ad be ef)", item));
      } else {
        bytes.push_back(static_cast<uint8_t>(std::stoul(item, nullptr, 16)));
      }
      i = j;
    }
    return bytes;
  }

  void StructInit(MemInit* m) {
    const Token& name = Next();
    m->kind = MemInit::Kind::kStruct;
    m->struct_name = name.text;
    const model::StructLayout* layout = model::UapiLayouts().Find(name.text);
    if (layout == nullptr) {
      const std::vector<std::string> known = model::UapiLayouts().Names();
      Report(name.loc,
             fmt::format("unknown struct `{}` (known: {})", name.text, fmt::join(known, ", ")));
    } else {
      m->size = layout->size;
    }
    ExpectPunct("{");
    std::set<std::string> seen;
    while (!PeekPunct("}")) {
      const Token& field = ExpectName("a field name");
      std::vector<std::string> path = {field.text};
      FieldPath(&path);
      FieldInit init;
      init.name = FieldsText(path);
      init.loc = field.loc;
      ExpectPunct("=");
      init.value = ValueExpr();
      if (!seen.insert(init.name).second) {
        Report(field.loc, fmt::format("field `{}` is given twice", init.name));
      }
      if (layout != nullptr) {
        PlaceField(*layout, &init);
      }
      m->fields.push_back(std::move(init));
      if (!PeekPunct(",")) {
        break;
      }
      Next();
    }
    ExpectPunct("}");
  }

  // PlaceField finds a field (or an element `args[i]` of an array field) in the layout.
  void PlaceField(const model::StructLayout& layout, FieldInit* init) {
    std::string base = init->name;
    uint64_t index = 0;
    const size_t bracket = base.find('[');
    if (bracket != std::string::npos) {
      index = std::stoull(base.substr(bracket + 1));
      base = base.substr(0, bracket);
    }
    const model::FieldLayout* f = layout.FindField(base);
    if (f == nullptr || f->hole) {
      std::vector<std::string> names;
      for (const model::FieldLayout& fl : layout.fields) {
        if (!fl.hole) {
          names.push_back(fl.name);
        }
      }
      Report(init->loc, fmt::format("struct {} has no field `{}` (it has {})", layout.name,
                                    init->name, fmt::join(names, ", ")));
      return;
    }
    const uint64_t elem = f->elem_size();
    const bool array = f->count != 1;
    if (bracket != std::string::npos && (!array || index >= f->count)) {
      Report(init->loc,
             fmt::format("`{}`: {} has {} element(s)", init->name, base, array ? f->count : 1));
      return;
    }
    if (array && bracket == std::string::npos) {
      Report(init->loc, fmt::format("`{}` is an array: give one element, {}[i]", base, base));
      return;
    }
    if (elem != 1 && elem != 2 && elem != 4 && elem != 8) {
      Report(init->loc, fmt::format("field `{}` is {} bytes wide; only 1, 2, 4 or 8 can be set",
                                    init->name, elem));
      return;
    }
    init->offset = f->offset + index * elem;
    init->width = static_cast<uint32_t>(elem);
  }

  void StoreLoad(size_t start, Step step, int process) {
    const bool store = PeekName("store");
    step.kind = store ? Step::Kind::kStore : Step::Kind::kLoad;
    Next();
    const Token& name = Next();
    step.buffer = name.text;
    const Symbol* buffer = Find(name.text);
    if (buffer == nullptr) {
      Report(name.loc, UnknownName(name.text, name.loc));
    } else if (buffer->kind == Symbol::Kind::kAny) {
      buffer = nullptr;
    } else if (buffer->kind != Symbol::Kind::kBuffer) {
      Report(name.loc, fmt::format("`{}` is {}, not a buffer", name.text, Describe(*buffer)));
      buffer = nullptr;
    } else if (process >= 0 && !buffer->owners.count(process)) {
      Report(name.loc, fmt::format("buffer `{}` is not in {}'s memory", name.text, step.actor));
    }
    ExpectPunct("[");
    step.offset = ValueExpr();
    ExpectPunct("]");
    const Token& width = ExpectName("u8, u16, u32 or u64");
    static constexpr std::pair<std::string_view, uint32_t> kWidths[] = {
        {"u8", 1}, {"u16", 2}, {"u32", 4}, {"u64", 8}};
    for (const auto& [text, bytes] : kWidths) {
      if (width.text == text) {
        step.width = bytes;
      }
    }
    if (step.width == 0) {
      Fail(width.loc, "expected u8, u16, u32 or u64");
    }
    if (buffer != nullptr && step.offset.kind == Expr::Kind::kNumber &&
        (step.offset.number > buffer->size || buffer->size - step.offset.number < step.width)) {
      Report(step.offset.loc,
             fmt::format("{} bytes at offset {} do not fit in `{}` ({} bytes)", step.width,
                         static_cast<int64_t>(step.offset.number), name.text, buffer->size));
    }
    if (store) {
      ExpectPunct("=");
      step.value = ValueExpr();
    } else {
      ExpectPunct("->");
      const Token& bind = ExpectName("a name for the value");
      step.bind = bind.text;
      Symbol s;
      s.kind = Symbol::Kind::kValue;
      Declare(bind.text, bind.loc, s);
    }
    step.text = TextFrom(start);
    scenario_.steps.push_back(std::move(step));
  }

  // ---- calls ------------------------------------------------------------------------

  std::vector<RawArg> Args(const std::set<std::string_view>& words) {
    std::vector<RawArg> args;
    ExpectPunct("(");
    if (PeekPunct(")")) {
      Next();
      return args;
    }
    while (true) {
      RawArg arg;
      arg.loc = Peek().loc;
      if (Peek().kind == TK::kName && Peek(1).IsPunct("=")) {
        arg.key = Next().text;
        Next();
        arg.value = Expression();
      } else if (Peek().kind == TK::kName && words.count(Peek().text) &&
                 (Peek(1).IsPunct(",") || Peek(1).IsPunct(")"))) {
        arg.word = Next().text;
      } else {
        arg.value = Expression();
      }
      args.push_back(std::move(arg));
      if (PeekPunct(")")) {
        Next();
        return args;
      }
      ExpectPunct(",");
    }
  }

  // CallShape checks the positional count and the keys of a call.
  void CheckCount(const Call& call, size_t given, size_t min, size_t max,
                  std::string_view shape = "") {
    if (given >= min && given <= max) {
      return;
    }
    const std::string want = min == max       ? fmt::format("{}", min)
                             : max == min + 1 ? fmt::format("{} or {}", min, max)
                                              : fmt::format("{} to {}", min, max);
    Fail(call.loc, fmt::format("{}() takes {} argument{}{}, got {}", call.name, want,
                               max == 1 && min == 1 ? "" : "s", shape, given));
  }

  void CheckKeys(const Call& call, const std::vector<RawArg>& args,
                 const std::set<std::string_view>& allowed) {
    std::set<std::string> seen;
    for (const RawArg& a : args) {
      const std::string key = !a.key.empty() ? a.key : a.word;
      if (key.empty()) {
        continue;
      }
      if (!allowed.count(key)) {
        const std::string list =
            allowed.empty() ? std::string("none") : fmt::format("{}", fmt::join(allowed, ", "));
        Fail(a.loc, fmt::format("{}() has no argument `{}` (it takes: {})", call.name, key, list));
      }
      if (!seen.insert(key).second) {
        Fail(a.loc, fmt::format("`{}` is given twice", key));
      }
    }
  }

  static std::vector<RawArg*> Positional(std::vector<RawArg>& args) {
    std::vector<RawArg*> out;
    for (RawArg& a : args) {
      if (a.key.empty() && a.word.empty()) {
        out.push_back(&a);
      }
    }
    return out;
  }
  static RawArg* Keyed(std::vector<RawArg>& args, std::string_view key) {
    for (RawArg& a : args) {
      if (a.key == key || a.word == key) {
        return &a;
      }
    }
    return nullptr;
  }

  Arg Place(RawArg* raw, Want want, ConstantHint hint = ConstantHint::kNone) {
    Resolve(&raw->value, want, hint);
    return Arg{raw->key, std::move(raw->value), raw->loc};
  }

  // TaskArg places an argument that must name a task.
  Arg TaskArg(RawArg* raw, std::string_view role) {
    const Expr& e = raw->value;
    const Symbol* s = e.kind == Expr::Kind::kRef ? Find(e.text) : nullptr;
    if (e.kind != Expr::Kind::kRef || !e.fields.empty()) {
      Report(raw->loc, fmt::format("{} must be a task", role));
    } else if (s == nullptr) {
      Report(raw->loc, UnknownName(e.text, raw->loc));
    } else if (s->kind != Symbol::Kind::kTask && s->kind != Symbol::Kind::kAny) {
      Report(raw->loc, fmt::format("{} must be a task; `{}` is {}", role, e.text, Describe(*s)));
    }
    return Arg{raw->key, std::move(raw->value), raw->loc};
  }

  Arg NotificationArg(RawArg* raw) {
    const Expr& e = raw->value;
    const Symbol* s = e.kind == Expr::Kind::kRef ? Find(e.text) : nullptr;
    if (e.kind != Expr::Kind::kRef || !e.fields.empty()) {
      Report(raw->loc, "expected a notification (a recv binding), or id=EXPR");
    } else if (s == nullptr) {
      Report(raw->loc, UnknownName(e.text, raw->loc));
    } else if (s->kind != Symbol::Kind::kNotification && s->kind != Symbol::Kind::kAny) {
      Report(raw->loc, fmt::format("`{}` is {}, not a notification; give a recv binding or "
                                   "id=EXPR",
                                   e.text, Describe(*s)));
    }
    return Arg{"n", std::move(raw->value), raw->loc};
  }

  void CheckFdArg(const Arg& a) {
    if (a.value.kind == Expr::Kind::kNumber && a.value.number == kChannelFdNumber) {
      Report(a.loc, "fd 1023 is the runner's channel and cannot be named");
    }
  }

  void CheckSignalArg(const Arg& a, std::string_view verb, bool handle) {
    if (a.value.kind != Expr::Kind::kNumber) {
      return;
    }
    if (handle && IsFaultSignal(a.value.number)) {
      Report(a.loc, fmt::format("handle() refuses {}: the fault signals SIGILL, SIGSEGV, "
                                "SIGBUS, SIGFPE and SIGTRAP belong to the backend",
                                SignalName(static_cast<int64_t>(a.value.number))));
    }
    if (!handle && IsJobControlSignal(a.value.number)) {
      Report(a.loc, fmt::format("{}() of {}: job-control signals (SIGSTOP, SIGTSTP, SIGTTIN, "
                                "SIGTTOU, SIGCONT) are not supported in version 1",
                                verb, SignalName(static_cast<int64_t>(a.value.number))));
    }
  }

  // NotificationRef places the `n` or `id=` of reply/id_valid/addfd.
  void NotificationRef(Call* call, std::vector<RawArg>& args, std::vector<RawArg*>& pos,
                       size_t index) {
    RawArg* id = Keyed(args, "id");
    if (id != nullptr) {
      call->args.push_back(Place(id, Want::kValue));
      return;
    }
    if (pos.size() <= index) {
      Fail(call->loc,
           fmt::format("{}() needs a notification (a recv binding) or id=EXPR", call->name));
    }
    call->args.push_back(NotificationArg(pos[index]));
    pos.erase(pos.begin() + static_cast<ptrdiff_t>(index));
  }

  void Keys(Call* call, std::vector<RawArg>& args, std::initializer_list<std::string_view> keys,
            ConstantHint hint = ConstantHint::kNone) {
    for (std::string_view key : keys) {
      if (RawArg* a = Keyed(args, key)) {
        if (!a->word.empty()) {
          call->args.push_back(Arg{a->word, NumberExpr(1, a->loc), a->loc});
        } else {
          call->args.push_back(Place(a, Want::kValue, hint));
        }
      }
    }
  }

  static Expr NumberExpr(uint64_t value, Loc loc) {
    Expr e;
    e.kind = Expr::Kind::kNumber;
    e.number = value;
    e.text = std::to_string(value);
    e.loc = loc;
    return e;
  }

  // Built-in verbs: name, Verb, min/max positional args, what `->` binds.
  struct VerbInfo {
    std::string_view name;
    Verb verb;
  };
  static constexpr VerbInfo kVerbs[] = {{"nnp", Verb::kNnp},
                                        {"install", Verb::kInstall},
                                        {"strict", Verb::kStrict},
                                        {"action_avail", Verb::kActionAvail},
                                        {"notif_sizes", Verb::kNotifSizes},
                                        {"recv", Verb::kRecv},
                                        {"reply", Verb::kReply},
                                        {"id_valid", Verb::kIdValid},
                                        {"addfd", Verb::kAddfd},
                                        {"set_flags", Verb::kSetFlags},
                                        {"poll", Verb::kPoll},
                                        {"pass", Verb::kPass},
                                        {"handle", Verb::kHandle},
                                        {"signal", Verb::kSignal},
                                        {"wait", Verb::kWait},
                                        {"fork", Verb::kFork},
                                        {"thread", Verb::kThread},
                                        {"exit", Verb::kExit},
                                        {"exit_group", Verb::kExitGroup},
                                        {"syscall", Verb::kRawSyscall}};

  // Param is what a positional argument of a verb without keys must be.
  enum class Param : uint8_t { kValue, kFd, kFilter, kFilterFlags, kAction, kTask, kSignal };

  // SimpleVerb is a verb that takes positional arguments only: `min` of them at
  // least, `params.size()` at most.
  struct SimpleVerb {
    Verb verb;
    size_t min;
    std::vector<Param> params;
    BindKind binds;
  };

  static const std::vector<SimpleVerb>& SimpleVerbs() {
    using P = Param;
    static const std::vector<SimpleVerb> verbs = {
        {Verb::kNnp, 0, {}, BindKind::kValue},
        {Verb::kStrict, 0, {}, BindKind::kValue},
        {Verb::kNotifSizes, 0, {}, BindKind::kSizes},
        {Verb::kFork, 0, {}, BindKind::kTask},
        {Verb::kThread, 0, {}, BindKind::kTask},
        {Verb::kInstall, 1, {P::kFilter, P::kFilterFlags}, BindKind::kValue},
        {Verb::kActionAvail, 1, {P::kAction}, BindKind::kValue},
        {Verb::kRecv, 1, {P::kFd}, BindKind::kNotification},
        {Verb::kPoll, 1, {P::kFd}, BindKind::kValue},
        {Verb::kSetFlags, 2, {P::kFd, P::kValue}, BindKind::kValue},
        {Verb::kPass, 2, {P::kFd, P::kTask}, BindKind::kValue},
        {Verb::kSignal, 2, {P::kTask, P::kSignal}, BindKind::kValue},
        {Verb::kWait, 1, {P::kTask}, BindKind::kValue},
        {Verb::kExit, 1, {P::kValue}, BindKind::kValue},
        {Verb::kExitGroup, 1, {P::kValue}, BindKind::kValue},
    };
    return verbs;
  }

  // FilterArg places install()'s first argument, which must name a filter.
  Arg FilterArg(RawArg* f) {
    const Symbol* s = f->value.kind == Expr::Kind::kRef ? Find(f->value.text) : nullptr;
    if (f->value.kind != Expr::Kind::kRef || !f->value.fields.empty()) {
      Report(f->loc, "install() takes a filter name first");
    } else if (s == nullptr) {
      Report(f->loc, UnknownName(f->value.text, f->loc));
    } else if (s->kind != Symbol::Kind::kFilter && s->kind != Symbol::Kind::kAny) {
      Report(f->loc,
             fmt::format("install() takes a filter; `{}` is {}", f->value.text, Describe(*s)));
    }
    return Arg{"", std::move(f->value), f->loc};
  }

  BindKind BuildSimple(Call* call, std::vector<RawArg>& args, const std::vector<RawArg*>& pos,
                       const SimpleVerb& verb) {
    CheckKeys(*call, args, {});
    CheckCount(*call, pos.size(), verb.min, verb.params.size());
    for (size_t i = 0; i < pos.size(); ++i) {
      const std::string role =
          verb.params.size() == 1
              ? fmt::format("{}()'s argument", call->name)
              : fmt::format("{}()'s {} argument", call->name, i == 0 ? "first" : "second");
      switch (verb.params[i]) {
        case Param::kValue:
          call->args.push_back(Place(pos[i], Want::kValue));
          break;
        case Param::kFd:
          call->args.push_back(Place(pos[i], Want::kValue));
          CheckFdArg(call->args.back());
          break;
        case Param::kFilter:
          call->args.push_back(FilterArg(pos[i]));
          break;
        case Param::kFilterFlags:
          call->args.push_back(Place(pos[i], Want::kValue, ConstantHint::kFilterFlags));
          break;
        case Param::kAction:
          call->args.push_back(Place(pos[i], Want::kValue, ConstantHint::kAction));
          break;
        case Param::kTask:
          call->args.push_back(TaskArg(pos[i], role));
          break;
        case Param::kSignal:
          call->args.push_back(Place(pos[i], Want::kValue));
          CheckSignalArg(call->args.back(), call->name, false);
          break;
      }
    }
    return verb.binds;
  }

  // BuildCall turns the raw arguments into the AST shape of its verb and returns
  // what `-> NAME` binds.
  BindKind BuildCall(Call* call, std::vector<RawArg>& args) {
    std::vector<RawArg*> pos = Positional(args);
    for (const SimpleVerb& verb : SimpleVerbs()) {
      if (verb.verb == call->verb) {
        return BuildSimple(call, args, pos, verb);
      }
    }
    switch (call->verb) {
      case Verb::kReply: {
        CheckKeys(*call, args, {"id", "val", "error", "continue", "flags"});
        CheckCount(*call, pos.size() + (Keyed(args, "id") != nullptr ? 1 : 0), 2, 2,
                   " (L, and a notification or id=)");
        call->args.push_back(Place(pos[0], Want::kValue));
        CheckFdArg(call->args.back());
        pos.erase(pos.begin());
        NotificationRef(call, args, pos, 0);
        if (!Keyed(args, "val") && !Keyed(args, "error") && !Keyed(args, "continue") &&
            !Keyed(args, "flags")) {
          Fail(call->loc, "reply() needs val=V, error=E or continue");
        }
        Keys(call, args, {"val", "error", "continue", "flags"});
        return BindKind::kValue;
      }
      case Verb::kIdValid:
        CheckKeys(*call, args, {"id"});
        CheckCount(*call, pos.size() + (Keyed(args, "id") != nullptr ? 1 : 0), 2, 2,
                   " (L, and a notification or id=)");
        call->args.push_back(Place(pos[0], Want::kValue));
        CheckFdArg(call->args.back());
        pos.erase(pos.begin());
        NotificationRef(call, args, pos, 0);
        return BindKind::kValue;
      case Verb::kAddfd: {
        CheckKeys(*call, args, {"id", "newfd", "flags", "fdflags"});
        const bool by_id = Keyed(args, "id") != nullptr;
        CheckCount(*call, pos.size() + (by_id ? 1 : 0), 3, 3,
                   " (L, a notification or id=, and SRCFD)");
        call->args.push_back(Place(pos[0], Want::kValue));
        CheckFdArg(call->args.back());
        pos.erase(pos.begin());
        NotificationRef(call, args, pos, 0);
        call->args.push_back(Place(pos[0], Want::kValue));
        CheckFdArg(call->args.back());
        Keys(call, args, {"newfd", "flags", "fdflags"});
        for (const Arg& a : call->args) {
          if (a.key == "newfd") {
            CheckFdArg(a);
          }
        }
        return BindKind::kValue;
      }
      case Verb::kHandle: {
        CheckKeys(*call, args, {"restart", "norestart", "ignore", "default"});
        CheckCount(*call, args.size(), 2, 2);
        if (pos.size() != 1) {
          const RawArg* bad = pos.size() > 1 ? pos[1] : &args[0];
          Fail(bad->loc, "handle() takes a signal, then restart, norestart, ignore or default");
        }
        call->args.push_back(Place(pos[0], Want::kValue));
        CheckSignalArg(call->args.back(), "handle", true);
        for (RawArg& a : args) {
          if (a.word.empty()) {
            continue;
          }
          Expr mode;
          mode.kind = Expr::Kind::kString;
          mode.text = a.word;
          mode.loc = a.loc;
          call->args.push_back(Arg{"mode", std::move(mode), a.loc});
        }
        return BindKind::kValue;
      }
      case Verb::kRawSyscall:
        CheckKeys(*call, args, {});
        CheckCount(*call, pos.size(), 1, 7);
        call->args.push_back(Place(pos[0], Want::kValue));
        for (size_t i = 1; i < pos.size(); ++i) {
          call->args.push_back(Place(pos[i], Want::kAddress));
        }
        return BindKind::kValue;
      case Verb::kSyscall:
        return ModelledCall(call, args, pos);
      case Verb::kProposal:
        return ProposalCall(call, args, pos);
      default:
        break;  // the simple verbs, handled above
    }
    return BindKind::kValue;
  }

  BindKind ModelledCall(Call* call, std::vector<RawArg>& args, std::vector<RawArg*>& pos) {
    const model::SyscallInfo* info = model::FindModelledSyscall(call->name);
    CheckKeys(*call, args, {});
    size_t min = info->nargs;
    if (call->name == "openat") {
      min = 3;  // MODE is optional, as in open(2)
    }
    if (call->name == "prctl") {
      min = 1;  // prctl's unused arguments are 0
    }
    CheckCount(*call, pos.size(), min, info->nargs);
    for (size_t i = 0; i < pos.size(); ++i) {
      const model::ArgKind kind = info->args[i];
      const bool address = kind == model::ArgKind::kAddr || kind == model::ArgKind::kPath;
      call->args.push_back(Place(pos[i], address ? Want::kAddress : Want::kValue));
      if (kind == model::ArgKind::kFd) {
        CheckFdArg(call->args.back());
      }
      if (kind == model::ArgKind::kSignal) {
        CheckSignalArg(call->args.back(), call->name, false);
      }
    }
    return BindKind::kValue;
  }

  BindKind ProposalCall(Call* call, std::vector<RawArg>& args, std::vector<RawArg*>& pos) {
    const ProposalVerb* verb = proposals_.Find(call->name);
    std::set<std::string_view> keys(verb->keys.begin(), verb->keys.end());
    CheckKeys(*call, args, keys);
    CheckCount(*call, pos.size(), verb->required, verb->params.size());
    for (size_t i = 0; i < pos.size(); ++i) {
      switch (verb->params[i]) {
        case ParamKind::kValue:
          call->args.push_back(Place(pos[i], Want::kValue));
          break;
        case ParamKind::kAddress:
          call->args.push_back(Place(pos[i], Want::kAddress));
          break;
        case ParamKind::kTask:
          call->args.push_back(TaskArg(pos[i], "this argument"));
          break;
        case ParamKind::kNotification: {
          Arg a = NotificationArg(pos[i]);
          a.key.clear();
          call->args.push_back(std::move(a));
          break;
        }
        case ParamKind::kFilter: {
          const Symbol* s =
              pos[i]->value.kind == Expr::Kind::kRef ? Find(pos[i]->value.text) : nullptr;
          if (s == nullptr || s->kind != Symbol::Kind::kFilter) {
            Report(pos[i]->loc, "expected a filter name");
          }
          call->args.push_back(Arg{"", std::move(pos[i]->value), pos[i]->loc});
          break;
        }
      }
    }
    for (RawArg& a : args) {
      if (!a.key.empty()) {
        call->args.push_back(Place(&a, Want::kValue));
      }
    }
    proposal_uses_.emplace_back(call->loc, verb->proposal, verb->verb);
    return verb->binds;
  }

  void CallStep(size_t start, Step step, const Symbol* who) {
    step.kind = Step::Kind::kCall;
    const Token& name = Peek();
    if (name.kind != TK::kName || !Peek(1).IsPunct("(")) {
      FailExpected("a call `NAME(…)`, mem, store or load");
    }
    Call& call = step.call;
    call.name = name.text;
    call.loc = name.loc;
    Next();
    if (name.text == "ptrace" || name.text == "concurrently") {
      Fail(name.loc,
           fmt::format("`{}` is reserved for a later version of the language", name.text));
    }
    bool found = false;
    for (const VerbInfo& v : kVerbs) {
      if (v.name == name.text) {
        call.verb = v.verb;
        found = true;
      }
    }
    if (!found && proposals_.Find(name.text) != nullptr) {
      call.verb = Verb::kProposal;
      found = true;
    }
    if (!found) {
      if (const model::SyscallInfo* info = model::FindModelledSyscall(name.text)) {
        call.verb = Verb::kSyscall;
        call.nr = info->nr;
        found = true;
      } else if (SyscallNumber(name.text) >= 0) {
        Fail(name.loc, fmt::format("`{}` is not a modelled syscall, so it cannot be called by "
                                   "name; `syscall({}, …)` issues it for filter tests",
                                   name.text, name.text));
      } else {
        Fail(name.loc, fmt::format("unknown call `{}`", name.text));
      }
    }
    const std::set<std::string_view> words =
        call.verb == Verb::kReply ? std::set<std::string_view>{"continue"}
        : call.verb == Verb::kHandle
            ? std::set<std::string_view>{"restart", "norestart", "ignore", "default"}
            : std::set<std::string_view>{};
    std::vector<RawArg> args = Args(words);
    call.text = TextFrom(start);
    const BindKind binds = BuildCall(&call, args);
    if (PeekPunct("&")) {
      Next();
      step.async = true;
    }
    if (PeekPunct("->")) {
      Next();
      const Token& bind = ExpectName("a name to bind");
      step.bind = bind.text;
      DeclareBinding(bind.text, bind.loc, binds, step.async, call, who);
    } else if (binds == BindKind::kNotification || binds == BindKind::kTask) {
      step.bind = fmt::format("{}@{}", call.name, call.loc.line);
      DeclareBinding(step.bind, call.loc, binds, step.async, call, who);
    }
    if (PeekPunct("=")) {
      Next();
      step.result = Result(false);
    }
    step.text = TextFrom(start);
    scenario_.steps.push_back(std::move(step));
  }

  void DeclareBinding(const std::string& name, Loc loc, BindKind binds, bool async,
                      const Call& call, const Symbol* who) {
    const Verb verb = call.verb;
    Symbol s;
    s.awaitable = async;
    if (verb == Verb::kProposal) {
      s.fields = proposals_.Find(call.name)->fields;
    }
    switch (binds) {
      case BindKind::kValue:
        s.kind = Symbol::Kind::kValue;
        break;
      case BindKind::kNotification:
        s.kind = Symbol::Kind::kNotification;
        break;
      case BindKind::kSizes:
        s.kind = Symbol::Kind::kSizes;
        break;
      case BindKind::kTask:
        s.kind = Symbol::Kind::kTask;
        s.thread = verb == Verb::kThread;
        if (verb == Verb::kThread) {
          s.process = who != nullptr ? who->process : -1;
        } else {
          s.process = next_process_++;
          // fork() copies the parent's buffers into the child.
          if (who != nullptr) {
            for (auto& [sym_name, sym] : symbols_) {
              if (sym.kind == Symbol::Kind::kBuffer && sym.owners.count(who->process)) {
                sym.owners.insert(s.process);
              }
            }
          }
        }
        break;
    }
    Declare(name, loc, s);
  }

  void CheckProposalUses() {
    for (const auto& [loc, proposal, verb] : proposal_uses_) {
      const auto& req = scenario_.requires_proposals;
      if (std::find(req.begin(), req.end(), proposal) == req.end()) {
        Report(loc, fmt::format("`{}` belongs to proposal `{}`: add `requires proposal {}`", verb,
                                proposal, proposal));
      }
    }
  }

  std::string_view file_;
  std::string_view text_;
  const ProposalVerbRegistry& proposals_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::vector<Diagnostic> diagnostics_;
  Scenario scenario_;
  std::map<std::string, Symbol> symbols_;
  std::map<std::string, uint32_t> later_;
  std::vector<std::tuple<Loc, std::string, std::string>> proposal_uses_;
  int next_process_ = 0;
  bool seen_statement_ = false;
  bool seen_about_ = false;
};

}  // namespace

ParseResult ParseScenario(std::string_view file, std::string_view text,
                          const ParseOptions& options) {
  return Parser(file, text, options).Run();
}

}  // namespace sclab::scn
