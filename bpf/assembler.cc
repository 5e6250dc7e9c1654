// The assembler works line by line. Comments are blanked out first (keeping every
// newline and column), then each line is tokenised and parsed as: any number of
// `label:` definitions, then at most one instruction. Jump targets that name labels
// are recorded and resolved once the whole text is read, because bpf_asm jumps go
// forward. An error skips the rest of its line; all errors are collected.
//
// The disassembler prints the mnemonic form of an instruction only when assembling
// that form gives back the very same 8 bytes (unused fields zero, targets either
// inside the program, shown as labels, or raw offsets); everything else is written
// as `.insn`. That is what makes Assemble(Disassemble(p)) == p hold for any p.
#include "bpf/assembler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "bpf/actions.h"
#include "bpf/interpreter.h"
#include "bpf/syscall_names.h"

namespace sclab::bpf {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// BlankComments replaces `;...`, `/*...*/` and lines whose first non-blank is `#`
// with spaces, keeping newlines so that line and column numbers stay true.
std::string BlankComments(std::string_view text) {
  std::string out(text);
  bool line_has_code = false;
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (c == '\n') {
      line_has_code = false;
    } else if (c == ';' || (c == '#' && !line_has_code)) {
      while (i < out.size() && out[i] != '\n') {
        out[i++] = ' ';
      }
      --i;
    } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '*') {
      const size_t end = out.find("*/", i + 2);
      const size_t stop = end == std::string::npos ? out.size() : end + 2;
      for (; i < stop; ++i) {
        if (out[i] != '\n') {
          out[i] = ' ';
        }
      }
      --i;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      line_has_code = true;
    }
  }
  return out;
}

struct Token {
  enum class Kind { kIdent, kNumber, kPunct, kEnd };
  Kind kind = Kind::kEnd;
  std::string_view text;
  int column = 0;
  uint64_t number = 0;  // for kNumber; values above 2^32 are kept to report them
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

// ParseNumber reads bpf_asm's number forms: 0x hex, 0b binary, 0NNN octal, decimal.
std::optional<uint64_t> ParseNumber(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  uint64_t value = 0;
  for (char c : s) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    if (digit >= base) {
      return std::nullopt;
    }
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
    if (value > (uint64_t{1} << 40)) {
      value = uint64_t{1} << 40;  // saturate: reported later
    }
  }
  return value;
}

// Ancillary-load names of bpf_asm (tools/bpf/bpf_exp.l), as SKF_AD_* offsets.
std::optional<uint32_t> Extension(std::string_view name) {
  static const std::map<std::string, uint32_t, std::less<>> kNames = {
      {"proto", 0},   {"type", 4},      {"ifidx", 8},     {"nla", 12},        {"nlan", 16},
      {"mark", 20},   {"queue", 24},    {"hatype", 28},   {"rxhash", 32},     {"cpu", 36},
      {"vlan_tci", 44}, {"vlan_pr", 48}, {"vlan_avail", 48}, {"poff", 52}, {"rand", 56},
      {"vlan_tpid", 60}};
  auto it = kNames.find(Lower(name));
  if (it == kNames.end()) {
    return std::nullopt;
  }
  return kAncillaryOffset + it->second;
}

// The ALU mnemonics, shared by the assembler and the disassembler.
constexpr std::pair<std::string_view, uint16_t> kAluOps[] = {
    {"add", op::kAdd}, {"sub", op::kSub}, {"mul", op::kMul}, {"div", op::kDiv},
    {"mod", op::kMod}, {"and", op::kAnd}, {"or", op::kOr},   {"xor", op::kXor},
    {"lsh", op::kLsh}, {"rsh", op::kRsh}};

struct LabelRef {
  std::string name;
  int line = 0;
  int column = 0;
};

struct Pending {
  Insn insn;
  std::optional<LabelRef> jt, jf, k;
};

class Assembler {
 public:
  explicit Assembler(std::string_view text) : text_(BlankComments(text)) {}

  Outcome<std::vector<Insn>, std::vector<AsmError>> Run() {
    size_t start = 0;
    int line_no = 1;
    while (start <= text_.size()) {
      size_t end = text_.find('\n', start);
      if (end == std::string::npos) {
        end = text_.size();
      }
      ParseLine(std::string_view(text_).substr(start, end - start), line_no);
      start = end + 1;
      ++line_no;
    }
    for (const LabelRef& label : unattached_) {
      Error(label.line, label.column,
            fmt::format("label '{}' is not followed by an instruction", label.name));
    }
    Resolve();
    if (!errors_.empty()) {
      std::stable_sort(errors_.begin(), errors_.end(), [](const AsmError& a, const AsmError& b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
      });
      return Err<std::vector<AsmError>>{std::move(errors_)};
    }
    std::vector<Insn> out;
    out.reserve(pending_.size());
    for (const Pending& p : pending_) {
      out.push_back(p.insn);
    }
    return out;
  }

 private:
  // --- tokens of the current line ---
  bool Tokenize(std::string_view line) {
    tokens_.clear();
    size_t i = 0;
    while (i < line.size()) {
      const char c = line[i];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
        continue;
      }
      Token t;
      t.column = static_cast<int>(i) + 1;
      if (IsIdentStart(c)) {
        size_t j = i;
        while (j < line.size() && IsIdentChar(line[j])) {
          ++j;
        }
        t.kind = Token::Kind::kIdent;
        t.text = line.substr(i, j - i);
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        size_t j = i;
        while (j < line.size() && std::isalnum(static_cast<unsigned char>(line[j]))) {
          ++j;
        }
        t.kind = Token::Kind::kNumber;
        t.text = line.substr(i, j - i);
        auto value = ParseNumber(t.text);
        if (!value) {
          Error(line_, t.column, fmt::format("malformed number '{}'", t.text));
          return false;
        }
        t.number = *value;
        i = j;
      } else if (std::string_view(":,#[]()+-*&%").find(c) != std::string_view::npos) {
        t.kind = Token::Kind::kPunct;
        t.text = line.substr(i, 1);
        ++i;
      } else {
        Error(line_, t.column, fmt::format("unexpected character '{}'", c));
        return false;
      }
      tokens_.push_back(t);
    }
    end_token_ = Token{Token::Kind::kEnd, "", static_cast<int>(line.size()) + 1, 0};
    pos_ = 0;
    return true;
  }

  const Token& Peek(size_t ahead = 0) const {
    return pos_ + ahead < tokens_.size() ? tokens_[pos_ + ahead] : end_token_;
  }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ < tokens_.size()) {
      ++pos_;
    }
    return t;
  }
  bool IsPunct(const Token& t, char c) const {
    return t.kind == Token::Kind::kPunct && t.text[0] == c;
  }
  bool Accept(char c) {
    if (!IsPunct(Peek(), c)) {
      return false;
    }
    Next();
    return true;
  }
  bool IsIdent(const Token& t, std::string_view lower_name) const {
    return t.kind == Token::Kind::kIdent && Lower(t.text) == lower_name;
  }
  static std::string Describe(const Token& t) {
    return t.kind == Token::Kind::kEnd ? "end of line" : fmt::format("'{}'", t.text);
  }
  bool Expect(char c) {
    if (Accept(c)) {
      return true;
    }
    Fail(Peek(), fmt::format("expected '{}', found {}", c, Describe(Peek())));
    return false;
  }
  // Fail reports an error at `t` (once per line).
  void Fail(const Token& t, std::string message) {
    if (line_failed_) {
      return;
    }
    line_failed_ = true;
    Error(line_, t.column, std::move(message));
  }
  void Error(int line, int column, std::string message) {
    errors_.push_back(AsmError{line, column, std::move(message)});
  }

  // --- values ---
  std::optional<uint32_t> Number(const Token& t, bool negative) {
    const uint64_t limit = negative ? 0x80000000ULL : 0xffffffffULL;
    if (t.number > limit) {
      Fail(t, fmt::format("number {}{} does not fit in 32 bits", negative ? "-" : "", t.text));
      return std::nullopt;
    }
    const auto v = static_cast<uint32_t>(t.number);
    return negative ? 0u - v : v;
  }

  // Value parses a number (optionally signed) or a symbolic constant.
  std::optional<uint32_t> Value() {
    const Token& t = Peek();
    if (IsPunct(t, '-') || IsPunct(t, '+')) {
      const bool negative = IsPunct(t, '-');
      Next();
      if (Peek().kind != Token::Kind::kNumber) {
        Fail(Peek(), fmt::format("expected a number after '{}'", negative ? '-' : '+'));
        return std::nullopt;
      }
      return Number(Next(), negative);
    }
    if (t.kind == Token::Kind::kNumber) {
      return Number(Next(), false);
    }
    if (t.kind == Token::Kind::kIdent) {
      return Constant(Next());
    }
    Fail(t, fmt::format("expected a number or constant, found {}", Describe(t)));
    return std::nullopt;
  }

  std::optional<uint32_t> Constant(const Token& t) {
    // Action and arch names are upper case, exactly: `kill` is the syscall, not KILL.
    std::string upper(t.text);
    if (upper.rfind("SECCOMP_RET_", 0) == 0) {
      upper = upper.substr(12);
    }
    // Actions with data: ERRNO(n), TRACE(n), TRAP(n).
    static const std::map<std::string, uint32_t, std::less<>> kWithData = {
        {"ERRNO", kRetErrno}, {"TRACE", kRetTrace}, {"TRAP", kRetTrap}};
    if (auto it = kWithData.find(upper); it != kWithData.end() && IsPunct(Peek(), '(')) {
      Next();
      auto data = Value();
      if (!data) {
        return std::nullopt;
      }
      if (*data > kRetData) {
        Fail(t, fmt::format("{}({}) does not fit the 16-bit data field", upper, *data));
        return std::nullopt;
      }
      if (!Expect(')')) {
        return std::nullopt;
      }
      return it->second | *data;
    }
    static const std::map<std::string, uint32_t, std::less<>> kActions = {
        {"ALLOW", kRetAllow},         {"KILL_PROCESS", kRetKillProcess},
        {"KILL_THREAD", kRetKillThread}, {"KILL", kRetKillThread},
        {"TRAP", kRetTrap},           {"NOTIFY", kRetUserNotif},
        {"USER_NOTIF", kRetUserNotif}, {"TRACE", kRetTrace},
        {"LOG", kRetLog},             {"AUDIT_ARCH_X86_64", kAuditArchX86_64},
        {"AUDIT_ARCH_I386", kAuditArchI386}};
    if (upper == "ERRNO") {
      Fail(t, "ERRNO needs its data: ERRNO(n)");
      return std::nullopt;
    }
    if (auto it = kActions.find(upper); it != kActions.end()) {
      return it->second;
    }
    // seccomp_data offsets.
    if (t.text == "nr") {
      return 0;
    }
    if (t.text == "arch") {
      return 4;
    }
    if (t.text == "ip") {
      return 8;
    }
    if (t.text == "ip.hi") {
      return 12;
    }
    if (t.text == "args") {
      if (!Expect('[')) {
        return std::nullopt;
      }
      const Token& index = Peek();
      if (index.kind != Token::Kind::kNumber || index.number > 5) {
        Fail(index, "args index must be 0..5");
        return std::nullopt;
      }
      Next();
      if (!Expect(']')) {
        return std::nullopt;
      }
      uint32_t offset = 16 + 8 * static_cast<uint32_t>(index.number);
      if (Peek().kind == Token::Kind::kIdent && Peek().text == ".hi") {
        Next();
        offset += 4;
      }
      return offset;
    }
    if (auto nr = X86_64SyscallNumber(t.text)) {
      return static_cast<uint32_t>(*nr);
    }
    Fail(t, fmt::format("unknown constant '{}'", t.text));
    return std::nullopt;
  }

  // Target parses a jump target: a label name or a raw offset.
  bool Target(uint32_t* raw, std::optional<LabelRef>* label, uint32_t raw_max) {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kIdent) {
      Next();
      *label = LabelRef{std::string(t.text), line_, t.column};
      return true;
    }
    if (t.kind == Token::Kind::kNumber) {
      Next();
      if (t.number > raw_max) {
        Fail(t, fmt::format("raw jump offset {} is larger than {}", t.text, raw_max));
        return false;
      }
      *raw = static_cast<uint32_t>(t.number);
      return true;
    }
    Fail(t, fmt::format("expected a label or an offset, found {}", Describe(t)));
    return false;
  }

  // --- operand shapes ---
  // Src parses `#value`, `x` or `%x`; sets *is_x.
  bool Src(uint32_t* k, bool* is_x) {
    if (Accept('%')) {
      if (!IsIdent(Peek(), "x")) {
        Fail(Peek(), "expected 'x' after '%'");
        return false;
      }
      Next();
      *is_x = true;
      return true;
    }
    if (IsIdent(Peek(), "x")) {
      Next();
      *is_x = true;
      return true;
    }
    if (!Accept('#')) {
      Fail(Peek(), fmt::format("expected '#k' or 'x', found {}", Describe(Peek())));
      return false;
    }
    auto v = Value();
    if (!v) {
      return false;
    }
    *k = *v;
    *is_x = false;
    return true;
  }

  // Memory parses `M[value]` (the `M` already peeked).
  std::optional<uint32_t> Memory() {
    if (!(Peek().kind == Token::Kind::kIdent && Peek().text == "M")) {
      Fail(Peek(), fmt::format("expected 'M[k]', found {}", Describe(Peek())));
      return std::nullopt;
    }
    Next();
    if (!Expect('[')) {
      return std::nullopt;
    }
    auto v = Value();
    if (!v || !Expect(']')) {
      return std::nullopt;
    }
    return v;
  }

  // Packet parses `[value]`, `[x + value]` or `[%x + value]` after the '['; sets *ind.
  std::optional<uint32_t> Bracket(bool* ind) {
    *ind = false;
    if (IsPunct(Peek(), '%') || IsIdent(Peek(), "x")) {
      Accept('%');
      if (!IsIdent(Peek(), "x")) {
        Fail(Peek(), "expected 'x' after '%'");
        return std::nullopt;
      }
      Next();
      *ind = true;
      uint32_t k = 0;
      if (Accept('+')) {
        auto v = Value();
        if (!v) {
          return std::nullopt;
        }
        k = *v;
      }
      if (!Expect(']')) {
        return std::nullopt;
      }
      return k;
    }
    auto v = Value();
    if (!v || !Expect(']')) {
      return std::nullopt;
    }
    return v;
  }

  // Msh parses `4*([value]&0xf)` (bpf_asm's only LDX|B|MSH form).
  std::optional<uint32_t> Msh() {
    const Token& four = Peek();
    if (four.kind != Token::Kind::kNumber || four.number != 4) {
      Fail(four, "expected '4*([k]&0xf)'");
      return std::nullopt;
    }
    Next();
    if (!Expect('*') || !Expect('(') || !Expect('[')) {
      return std::nullopt;
    }
    auto v = Value();
    if (!v || !Expect(']') || !Expect('&')) {
      return std::nullopt;
    }
    const Token& mask = Peek();
    if (mask.kind != Token::Kind::kNumber || mask.number != 0xf) {
      Fail(mask, "expected '4*([k]&0xf)'");
      return std::nullopt;
    }
    Next();
    if (!Expect(')')) {
      return std::nullopt;
    }
    return v;
  }

  void Emit(Insn insn, std::optional<LabelRef> jt = {}, std::optional<LabelRef> jf = {},
            std::optional<LabelRef> k = {}) {
    const int index = static_cast<int>(pending_.size());
    for (LabelRef& label : unattached_) {
      labels_[label.name] = index;
    }
    unattached_.clear();
    pending_.push_back(Pending{insn, std::move(jt), std::move(jf), std::move(k)});
  }

  // --- one line ---
  void ParseLine(std::string_view line, int line_no) {
    line_ = line_no;
    line_failed_ = false;
    if (!Tokenize(line)) {
      return;
    }
    // Labels: IDENT ':'.
    while (Peek().kind == Token::Kind::kIdent && IsPunct(Peek(1), ':')) {
      const Token& name = Next();
      Next();
      const bool known = labels_.count(std::string(name.text)) != 0 ||
                         std::any_of(unattached_.begin(), unattached_.end(),
                                     [&](const LabelRef& l) { return l.name == name.text; });
      if (known) {
        Fail(name, fmt::format("label '{}' is defined twice", name.text));
        return;
      }
      unattached_.push_back(LabelRef{std::string(name.text), line_, name.column});
    }
    if (Peek().kind == Token::Kind::kEnd) {
      return;
    }
    const Token& mnemonic = Next();
    if (mnemonic.kind != Token::Kind::kIdent) {
      Fail(mnemonic, fmt::format("expected an instruction, found {}", Describe(mnemonic)));
      return;
    }
    if (!Instruction(Lower(mnemonic.text), mnemonic)) {
      return;
    }
    if (!line_failed_ && Peek().kind != Token::Kind::kEnd) {
      Fail(Peek(), fmt::format("unexpected {} after the instruction", Describe(Peek())));
    }
  }

  bool Instruction(const std::string& m, const Token& mnemonic) {
    static const std::map<std::string, uint16_t, std::less<>> kSizes = {
        {"ld", op::kW}, {"ldh", op::kH}, {"ldb", op::kB}};
    for (const auto& [name, alu_op] : kAluOps) {
      if (m != name) {
        continue;
      }
      uint32_t k = 0;
      bool is_x = false;
      if (!Src(&k, &is_x)) {
        return false;
      }
      Emit(Stmt(static_cast<uint16_t>(op::kAlu | alu_op | (is_x ? op::kX : op::kK)), k));
      return true;
    }
    if (m == "neg") {
      return Emit(Stmt(kNeg, 0)), true;
    }
    if (m == "tax") {
      return Emit(Stmt(kTax, 0)), true;
    }
    if (m == "txa") {
      return Emit(Stmt(kTxa, 0)), true;
    }
    if (m == "ret") {
      return Ret();
    }
    if (m == "st" || m == "stx") {
      auto k = Memory();
      if (!k) {
        return false;
      }
      Emit(Stmt(m == "st" ? kSt : kStx, *k));
      return true;
    }
    if (m == "ldi" || m == "ldxi") {
      Accept('#');
      auto k = Value();
      if (!k) {
        return false;
      }
      Emit(Stmt(m == "ldi" ? kLdImm : kLdxImm, *k));
      return true;
    }
    if (m == "ldx") {
      return Ldx();
    }
    if (m == "ldxb") {
      auto k = Msh();
      if (!k) {
        return false;
      }
      Emit(Stmt(kLdxBMsh, *k));
      return true;
    }
    if (auto it = kSizes.find(m); it != kSizes.end()) {
      return Ld(it->second);
    }
    if (m == "ja" || m == "jmp") {
      uint32_t raw = 0;
      std::optional<LabelRef> label;
      if (!Target(&raw, &label, 0xffffffffu)) {
        return false;
      }
      Emit(Stmt(kJa, raw), {}, {}, std::move(label));
      return true;
    }
    if (m == "jeq" || m == "jgt" || m == "jge" || m == "jset") {
      const uint16_t test = m == "jeq" ? op::kJeq : m == "jgt" ? op::kJgt
                            : m == "jge" ? op::kJge : op::kJset;
      return CondJump(test, /*single_is_false=*/false, /*allow_two=*/true);
    }
    if (m == "jne" || m == "jneq") {
      return CondJump(op::kJeq, true, false);
    }
    if (m == "jlt") {
      return CondJump(op::kJge, true, false);
    }
    if (m == "jle") {
      return CondJump(op::kJgt, true, false);
    }
    if (m == ".insn") {
      return RawInsn();
    }
    Fail(mnemonic, fmt::format("unknown instruction '{}'", mnemonic.text));
    return false;
  }

  bool Ret() {
    if (Accept('%')) {
      if (IsIdent(Peek(), "a")) {
        return Next(), Emit(Stmt(kRetA, 0)), true;
      }
      if (IsIdent(Peek(), "x")) {
        return Next(), Emit(Stmt(kRetX, 0)), true;
      }
      Fail(Peek(), "expected 'a' or 'x' after '%'");
      return false;
    }
    if (IsIdent(Peek(), "a")) {
      return Next(), Emit(Stmt(kRetA, 0)), true;
    }
    if (IsIdent(Peek(), "x")) {
      return Next(), Emit(Stmt(kRetX, 0)), true;
    }
    if (!Accept('#')) {
      Fail(Peek(), fmt::format("expected '#k', 'a' or 'x' after 'ret' (e.g. 'ret #ALLOW'), "
                               "found {}",
                               Describe(Peek())));
      return false;
    }
    auto k = Value();
    if (!k) {
      return false;
    }
    Emit(Stmt(kRetK, *k));
    return true;
  }

  bool Ld(uint16_t size) {
    const uint16_t abs = static_cast<uint16_t>(op::kLd | size | op::kAbs);
    const uint16_t ind = static_cast<uint16_t>(op::kLd | size | op::kInd);
    if (Accept('#')) {
      if (size == op::kW && IsIdent(Peek(), "len")) {
        return Next(), Emit(Stmt(kLdWLen, 0)), true;
      }
      if (Peek().kind == Token::Kind::kIdent) {
        if (auto ext = Extension(Peek().text)) {
          return Next(), Emit(Stmt(abs, *ext)), true;
        }
      }
      if (size != op::kW) {
        Fail(Peek(), "ldh/ldb take '[k]', '[x + k]' or an extension");
        return false;
      }
      auto k = Value();
      if (!k) {
        return false;
      }
      Emit(Stmt(kLdImm, *k));
      return true;
    }
    if (size == op::kW && IsIdent(Peek(), "len")) {
      return Next(), Emit(Stmt(kLdWLen, 0)), true;
    }
    if (size == op::kW && Peek().kind == Token::Kind::kIdent && Peek().text == "M") {
      auto k = Memory();
      if (!k) {
        return false;
      }
      Emit(Stmt(kLdMem, *k));
      return true;
    }
    if (Peek().kind == Token::Kind::kIdent) {
      if (auto ext = Extension(Peek().text)) {
        return Next(), Emit(Stmt(abs, *ext)), true;
      }
    }
    if (!Accept('[')) {
      Fail(Peek(), fmt::format("expected '#k', '[k]', '[x + k]', 'M[k]' or 'len', found {}",
                               Describe(Peek())));
      return false;
    }
    bool is_ind = false;
    auto k = Bracket(&is_ind);
    if (!k) {
      return false;
    }
    Emit(Stmt(is_ind ? ind : abs, *k));
    return true;
  }

  bool Ldx() {
    if (Accept('#')) {
      if (IsIdent(Peek(), "len")) {
        return Next(), Emit(Stmt(kLdxWLen, 0)), true;
      }
      auto k = Value();
      if (!k) {
        return false;
      }
      Emit(Stmt(kLdxImm, *k));
      return true;
    }
    if (IsIdent(Peek(), "len")) {
      return Next(), Emit(Stmt(kLdxWLen, 0)), true;
    }
    if (Peek().kind == Token::Kind::kIdent && Peek().text == "M") {
      auto k = Memory();
      if (!k) {
        return false;
      }
      Emit(Stmt(kLdxMem, *k));
      return true;
    }
    if (Peek().kind == Token::Kind::kNumber) {
      auto k = Msh();
      if (!k) {
        return false;
      }
      Emit(Stmt(kLdxBMsh, *k));
      return true;
    }
    Fail(Peek(), fmt::format("expected '#k', 'M[k]', 'len' or '4*([k]&0xf)', found {}",
                             Describe(Peek())));
    return false;
  }

  // CondJump parses `OP src, target [, target]`. For jne/jlt/jle (single_is_false)
  // the one target is the false branch, as in bpf_asm.
  bool CondJump(uint16_t test, bool single_is_false, bool allow_two) {
    uint32_t k = 0;
    bool is_x = false;
    if (!Src(&k, &is_x) || !Expect(',')) {
      return false;
    }
    uint32_t first = 0;
    uint32_t second = 0;
    std::optional<LabelRef> first_label;
    std::optional<LabelRef> second_label;
    if (!Target(&first, &first_label, 255)) {
      return false;
    }
    const bool two = allow_two && Accept(',');
    if (two && !Target(&second, &second_label, 255)) {
      return false;
    }
    Insn insn = Jump(static_cast<uint16_t>(op::kJmp | test | (is_x ? op::kX : op::kK)), k, 0, 0);
    if (single_is_false) {
      insn.jf = static_cast<uint8_t>(first);
      Emit(insn, {}, std::move(first_label));
    } else {
      insn.jt = static_cast<uint8_t>(first);
      insn.jf = static_cast<uint8_t>(second);
      Emit(insn, std::move(first_label), std::move(second_label));
    }
    return true;
  }

  bool RawInsn() {
    uint32_t fields[4] = {};
    const uint32_t limits[4] = {0xffff, 0xff, 0xff, 0xffffffffu};
    const char* names[4] = {"code", "jt", "jf", "k"};
    for (int i = 0; i < 4; ++i) {
      if (i > 0 && !Expect(',')) {
        return false;
      }
      const Token& at = Peek();
      auto v = Value();
      if (!v) {
        return false;
      }
      if (*v > limits[i]) {
        Fail(at, fmt::format(".insn {} {} does not fit ({} at most)", names[i], *v, limits[i]));
        return false;
      }
      fields[i] = *v;
    }
    Emit(Insn{static_cast<uint16_t>(fields[0]), static_cast<uint8_t>(fields[1]),
              static_cast<uint8_t>(fields[2]), fields[3]});
    return true;
  }

  // --- labels ---
  void Resolve() {
    for (size_t i = 0; i < pending_.size(); ++i) {
      Pending& p = pending_[i];
      auto offset = [&](const LabelRef& ref, uint64_t max, uint64_t* out) {
        auto it = labels_.find(ref.name);
        if (it == labels_.end()) {
          Error(ref.line, ref.column, fmt::format("unknown label '{}'", ref.name));
          return false;
        }
        const int64_t delta = static_cast<int64_t>(it->second) - static_cast<int64_t>(i) - 1;
        if (delta < 0) {
          Error(ref.line, ref.column,
                fmt::format("label '{}' is behind this instruction; classic BPF jumps only "
                            "forward",
                            ref.name));
          return false;
        }
        if (static_cast<uint64_t>(delta) > max) {
          Error(ref.line, ref.column,
                fmt::format("label '{}' is {} instructions ahead; a conditional jump reaches "
                            "at most 255 (jump to a 'ja' instead)",
                            ref.name, delta));
          return false;
        }
        *out = static_cast<uint64_t>(delta);
        return true;
      };
      uint64_t v = 0;
      if (p.jt && offset(*p.jt, 255, &v)) {
        p.insn.jt = static_cast<uint8_t>(v);
      }
      if (p.jf && offset(*p.jf, 255, &v)) {
        p.insn.jf = static_cast<uint8_t>(v);
      }
      if (p.k && offset(*p.k, 0xffffffffu, &v)) {
        p.insn.k = static_cast<uint32_t>(v);
      }
    }
  }

  std::string text_;
  std::vector<Token> tokens_;
  Token end_token_;
  size_t pos_ = 0;
  int line_ = 0;
  bool line_failed_ = false;
  std::vector<Pending> pending_;
  std::map<std::string, int, std::less<>> labels_;
  std::vector<LabelRef> unattached_;
  std::vector<AsmError> errors_;
};

// --- disassembly ---

std::string Number(uint32_t k) {
  return k < 0x10000 ? fmt::format("{}", k) : fmt::format("0x{:x}", k);
}

std::string DataOffset(uint32_t k) {
  if (k >= kSeccompDataSize || k % 4 != 0) {
    return Number(k);
  }
  if (k == 0) {
    return "nr";
  }
  if (k == 4) {
    return "arch";
  }
  if (k == 8) {
    return "ip";
  }
  if (k == 12) {
    return "ip.hi";
  }
  return fmt::format("args[{}]{}", (k - 16) / 8, (k % 8) != 0 ? ".hi" : "");
}

std::string RetValue(uint32_t k) {
  const uint32_t data = DataOf(k);
  switch (ActionOf(k)) {
    case kRetKillProcess:
      if (data == 0) {
        return "KILL_PROCESS";
      }
      break;
    case kRetKillThread:
      if (data == 0) {
        return "KILL_THREAD";
      }
      break;
    case kRetTrap: return data == 0 ? "TRAP" : fmt::format("TRAP({})", data);
    case kRetErrno: return fmt::format("ERRNO({})", data);
    case kRetUserNotif:
      if (data == 0) {
        return "NOTIFY";
      }
      break;
    case kRetTrace: return fmt::format("TRACE({})", data);
    case kRetLog:
      if (data == 0) {
        return "LOG";
      }
      break;
    case kRetAllow:
      if (data == 0) {
        return "ALLOW";
      }
      break;
    default: break;
  }
  return fmt::format("0x{:x}", k);
}

std::string CompareValue(uint32_t k) {
  if (k == kAuditArchX86_64) {
    return "AUDIT_ARCH_X86_64";
  }
  if (k == kAuditArchI386) {
    return "AUDIT_ARCH_I386";
  }
  return Number(k);
}

// Mnemonic is the exact bpf_asm form of `insn` at index `i` (labels for in-range
// targets, raw offsets otherwise), or nullopt when only `.insn` reproduces it.
std::optional<std::string> Mnemonic(std::span<const Insn> program, size_t i) {
  const Insn& insn = program[i];
  const uint64_t len = program.size();
  auto target = [&](uint64_t offset) {
    const uint64_t t = i + 1 + offset;
    return t < len ? fmt::format("L{}", t) : fmt::format("{}", offset);
  };
  const bool x_src = op::Src(insn.code) == op::kX;
  if (IsConditionalJump(insn.code)) {
    if (x_src && insn.k != 0) {
      return std::nullopt;
    }
    static const char* kNames[] = {"jeq", "jgt", "jge", "jset"};
    const std::string src = x_src ? "x" : "#" + CompareValue(insn.k);
    const char* name = kNames[(op::Op(insn.code) >> 4) - 1];
    if (insn.jf == 0) {
      return fmt::format("{} {}, {}", name, src, target(insn.jt));
    }
    return fmt::format("{} {}, {}, {}", name, src, target(insn.jt), target(insn.jf));
  }
  if (insn.jt != 0 || insn.jf != 0) {
    return std::nullopt;
  }
  if (insn.code == kJa) {
    return fmt::format("ja {}", target(insn.k));
  }
  if (op::Class(insn.code) == op::kAlu && insn.code != kNeg && !OpcodeName(insn.code).empty()) {
    for (const auto& [name, alu_op] : kAluOps) {
      if (op::Op(insn.code) != alu_op) {
        continue;
      }
      if (x_src) {
        return insn.k == 0 ? std::optional(fmt::format("{} x", name)) : std::nullopt;
      }
      return fmt::format("{} #{}", name, Number(insn.k));
    }
  }
  switch (insn.code) {
    case kLdWAbs: return fmt::format("ld [{}]", DataOffset(insn.k));
    case kLdHAbs: return fmt::format("ldh [{}]", Number(insn.k));
    case kLdBAbs: return fmt::format("ldb [{}]", Number(insn.k));
    case kLdWInd: return fmt::format("ld [x + {}]", Number(insn.k));
    case kLdHInd: return fmt::format("ldh [x + {}]", Number(insn.k));
    case kLdBInd: return fmt::format("ldb [x + {}]", Number(insn.k));
    case kLdImm: return fmt::format("ld #{}", Number(insn.k));
    case kLdxImm: return fmt::format("ldx #{}", Number(insn.k));
    case kLdMem: return fmt::format("ld M[{}]", Number(insn.k));
    case kLdxMem: return fmt::format("ldx M[{}]", Number(insn.k));
    case kSt: return fmt::format("st M[{}]", Number(insn.k));
    case kStx: return fmt::format("stx M[{}]", Number(insn.k));
    case kLdxBMsh: return fmt::format("ldx 4*([{}]&0xf)", Number(insn.k));
    case kRetK: return fmt::format("ret #{}", RetValue(insn.k));
    default: break;
  }
  if (insn.k != 0) {
    return std::nullopt;
  }
  switch (insn.code) {
    case kLdWLen: return "ld len";
    case kLdxWLen: return "ldx len";
    case kNeg: return "neg";
    case kTax: return "tax";
    case kTxa: return "txa";
    case kRetA: return "ret a";
    case kRetX: return "ret x";
    default: return std::nullopt;
  }
}

// AHoldsNr marks, per instruction, whether A certainly holds seccomp_data.nr on entry
// (a forward data-flow pass; jumps only go forward). Used only for comments.
std::vector<bool> AHoldsNr(std::span<const Insn> program) {
  const size_t len = program.size();
  std::vector<int> in(len, -1);  // -1 unreached, 0 no, 1 yes
  if (len > 0) {
    in[0] = 0;
  }
  auto merge = [&](uint64_t t, int v) {
    if (t < len) {
      in[t] = in[t] == -1 ? v : (in[t] & v);
    }
  };
  for (size_t i = 0; i < len; ++i) {
    const Insn& insn = program[i];
    const int now = in[i] == -1 ? 0 : in[i];
    if (IsConditionalJump(insn.code)) {
      merge(i + 1 + insn.jt, now);
      merge(i + 1 + insn.jf, now);
      continue;
    }
    if (insn.code == kJa) {
      merge(i + 1 + uint64_t{insn.k}, now);
      continue;
    }
    if (op::Class(insn.code) == op::kRet) {
      continue;
    }
    int out = now;
    if (insn.code == kLdWAbs) {
      out = insn.k == 0 ? 1 : 0;
    } else if (op::Class(insn.code) == op::kLd || op::Class(insn.code) == op::kAlu ||
               insn.code == kTxa) {
      out = 0;
    }
    merge(i + 1, out);
  }
  std::vector<bool> holds(len);
  for (size_t i = 0; i < len; ++i) {
    holds[i] = in[i] == 1;
  }
  return holds;
}

}  // namespace

std::string AsmError::Format(std::string_view file) const {
  return fmt::format("{}:{}:{}: error: {}", file, line, column, message);
}

Outcome<std::vector<Insn>, std::vector<AsmError>> Assemble(std::string_view text) {
  return Assembler(text).Run();
}

std::string Disassemble(std::span<const Insn> program) {
  const size_t len = program.size();
  std::vector<std::optional<std::string>> lines(len);
  std::vector<bool> is_target(len, false);
  for (size_t i = 0; i < len; ++i) {
    lines[i] = Mnemonic(program, i);
    if (!lines[i]) {
      continue;
    }
    const Insn& insn = program[i];
    auto mark = [&](uint64_t t) {
      if (t < len) {
        is_target[t] = true;
      }
    };
    if (IsConditionalJump(insn.code)) {
      mark(i + 1 + insn.jt);
      if (insn.jf != 0) {
        mark(i + 1 + insn.jf);  // jf == 0 is printed as the 2-operand form
      }
    } else if (insn.code == kJa) {
      mark(i + 1 + uint64_t{insn.k});
    }
  }
  const std::vector<bool> a_is_nr = AHoldsNr(program);
  std::string out;
  for (size_t i = 0; i < len; ++i) {
    const Insn& insn = program[i];
    if (is_target[i]) {
      out += fmt::format("L{}:\n", i);
    }
    std::string text = lines[i] ? *lines[i]
                                : fmt::format(".insn 0x{:04x}, {}, {}, 0x{:x}", insn.code,
                                              insn.jt, insn.jf, insn.k);
    std::string comment;
    if (lines[i] && a_is_nr[i] && IsConditionalJump(insn.code) && op::Src(insn.code) == op::kK) {
      comment = X86_64SyscallName(static_cast<int>(insn.k));
    }
    if (comment.empty()) {
      out += fmt::format("    {}\n", text);
    } else {
      out += fmt::format("    {:<36} ; {}\n", text, comment);
    }
  }
  return out;
}

}  // namespace sclab::bpf
