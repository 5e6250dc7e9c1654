// The lexer is a single forward pass over the bytes with a line/column counter.
// It looks back at the tokens of the current line in two places only: after a
// `bytes` name followed by `(` (to take the byte list raw) and at the end of a line
// that reads `filter NAME bpf {` (to take the block's lines raw). Everything else is
// context-free.
#include "scenarios/lexer.h"

#include <fmt/format.h>

#include <limits>

namespace sclab::scn {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

int DigitValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return 99;
}

constexpr std::string_view kTwoCharPuncts[] = {"->", "==", "!=", "<=", ">="};
constexpr std::string_view kOneCharPuncts = "<>=:(),&|+-[]{}.";

class Lexer {
 public:
  Lexer(std::string_view file, std::string_view text) : file_(file), text_(text) {}

  LexResult Run() {
    while (pos_ < text_.size()) {
      Step();
    }
    EndLine();
    if (raw_block_pending_) {
      LexRawBlock();
    }
    Token end;
    end.kind = Token::Kind::kEnd;
    end.loc = Here();
    end.begin = end.end = text_.size();
    result_.tokens.push_back(std::move(end));
    return std::move(result_);
  }

 private:
  Loc Here() const { return Loc{line_, static_cast<uint32_t>(pos_ - line_start_ + 1)}; }

  void Error(Loc loc, std::string message) {
    result_.diagnostics.push_back(MakeDiagnostic(file_, text_, loc, std::move(message)));
  }

  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }

  Token& Push(Token::Kind kind, Loc loc, size_t begin, std::string text) {
    Token t;
    t.kind = kind;
    t.loc = loc;
    t.begin = begin;
    t.end = pos_;
    t.text = std::move(text);
    result_.tokens.push_back(std::move(t));
    return result_.tokens.back();
  }

  void Step() {
    const char c = text_[pos_];
    if (c == '\n') {
      const Loc loc = Here();
      const size_t begin = pos_;
      Advance();
      EndLine();
      Push(Token::Kind::kNewline, loc, begin, "\n");
      line_first_token_ = result_.tokens.size();
      if (raw_block_pending_) {
        LexRawBlock();
      }
      return;
    }
    if (IsBlank(c)) {
      Advance();
      return;
    }
    if (c == '#') {
      while (pos_ < text_.size() && text_[pos_] != '\n') {
        Advance();
      }
      return;
    }
    if (IsNameStart(c)) {
      return LexName();
    }
    if (IsDigit(c)) {
      return LexNumber();
    }
    if (c == '"') {
      if (text_.substr(pos_, 3) == "\"\"\"") {
        return LexTripleString();
      }
      return LexString();
    }
    for (std::string_view p : kTwoCharPuncts) {
      if (text_.substr(pos_, 2) == p) {
        const Loc loc = Here();
        const size_t begin = pos_;
        pos_ += 2;
        Push(Token::Kind::kPunct, loc, begin, std::string(p));
        return;
      }
    }
    if (kOneCharPuncts.find(c) != std::string_view::npos) {
      const Loc loc = Here();
      const size_t begin = pos_;
      Advance();
      Push(Token::Kind::kPunct, loc, begin, std::string(1, c));
      if (c == '(' && AfterBytesName()) {
        LexRawBytes();
      }
      return;
    }
    const Loc loc = Here();
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      Error(loc, fmt::format("unexpected character `{}`", c));
    } else {
      Error(loc, fmt::format("unexpected byte 0x{:02x}", byte));
    }
    Advance();
  }

  void LexName() {
    const Loc loc = Here();
    const size_t begin = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) {
      ++pos_;
    }
    Push(Token::Kind::kName, loc, begin, std::string(text_.substr(begin, pos_ - begin)));
  }

  void LexNumber() {
    const Loc loc = Here();
    const size_t begin = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) {
      ++pos_;
    }
    const std::string_view spelling = text_.substr(begin, pos_ - begin);
    uint64_t base = 10;
    std::string_view digits = spelling;
    if (spelling.size() > 1 && spelling[0] == '0' && (spelling[1] == 'x' || spelling[1] == 'X')) {
      base = 16;
      digits = spelling.substr(2);
    } else if (spelling.size() > 1 && spelling[0] == '0' &&
               (spelling[1] == 'o' || spelling[1] == 'O')) {
      base = 8;
      digits = spelling.substr(2);
    } else if (spelling.size() > 1 && spelling[0] == '0' && IsDigit(spelling[1])) {
      Error(loc, fmt::format("`{}`: a number with a leading 0 is ambiguous; write 0o{} for "
                             "octal or {} for decimal",
                             spelling, spelling.substr(1), spelling.substr(1)));
      Push(Token::Kind::kNumber, loc, begin, std::string(spelling));
      return;
    }
    uint64_t value = 0;
    bool ok = !digits.empty();
    for (char d : digits) {
      const uint64_t v = static_cast<uint64_t>(DigitValue(d));
      if (v >= base) {
        ok = false;
        break;
      }
      if (value > (std::numeric_limits<uint64_t>::max() - v) / base) {
        Error(loc, fmt::format("`{}` does not fit in 64 bits", spelling));
        Push(Token::Kind::kNumber, loc, begin, std::string(spelling));
        return;
      }
      value = value * base + v;
    }
    if (!ok) {
      Error(loc, fmt::format("malformed number `{}`", spelling));
    }
    Token& t = Push(Token::Kind::kNumber, loc, begin, std::string(spelling));
    t.number = value;
  }

  // ReadEscape reads the escape after a backslash at pos_ (pointing at the
  // backslash) and appends its byte; false (after a diagnostic) when unknown.
  void ReadEscape(std::string* out) {
    const Loc loc = Here();
    Advance();  // the backslash
    if (pos_ >= text_.size() || text_[pos_] == '\n') {
      Error(loc, "a backslash at the end of a line");
      return;
    }
    const char e = text_[pos_];
    Advance();
    switch (e) {
      case '\\':
        *out += '\\';
        return;
      case '"':
        *out += '"';
        return;
      case 'n':
        *out += '\n';
        return;
      case 't':
        *out += '\t';
        return;
      case '0':
        *out += '\0';
        return;
      case 'x': {
        if (pos_ + 1 < text_.size() && DigitValue(text_[pos_]) < 16 &&
            DigitValue(text_[pos_ + 1]) < 16) {
          *out += static_cast<char>(DigitValue(text_[pos_]) * 16 + DigitValue(text_[pos_ + 1]));
          pos_ += 2;
          return;
        }
        Error(loc, "\\x needs two hex digits");
        return;
      }
      default:
        Error(loc, fmt::format("unknown escape `\\{}`", e));
    }
  }

  void LexString() {
    const Loc loc = Here();
    const size_t begin = pos_;
    Advance();
    std::string contents;
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') {
        Error(loc, "unterminated string");
        Push(Token::Kind::kString, loc, begin, std::move(contents));
        return;
      }
      const char c = text_[pos_];
      if (c == '"') {
        Advance();
        break;
      }
      if (c == '\\') {
        ReadEscape(&contents);
        continue;
      }
      contents += c;
      Advance();
    }
    Push(Token::Kind::kString, loc, begin, std::move(contents));
  }

  void LexTripleString() {
    const Loc loc = Here();
    const size_t begin = pos_;
    pos_ += 3;
    const size_t close = text_.find("\"\"\"", pos_);
    if (close == std::string_view::npos) {
      Error(loc, "unterminated \"\"\" string");
      while (pos_ < text_.size()) {
        Advance();
      }
      Push(Token::Kind::kTripleString, loc, begin, "");
      return;
    }
    std::string_view contents = text_.substr(pos_, close - pos_);
    while (pos_ < close + 3) {
      Advance();
    }
    if (!contents.empty() && contents.front() == '\n') {
      contents.remove_prefix(1);
    }
    // Drop the last newline and the indentation of the closing quotes.
    const size_t last_nl = contents.find_last_of('\n');
    if (last_nl != std::string_view::npos &&
        contents.find_first_not_of(" \t\r", last_nl + 1) == std::string_view::npos) {
      contents = contents.substr(0, last_nl);
    }
    Push(Token::Kind::kTripleString, loc, begin, std::string(contents));
  }

  bool AfterBytesName() const {
    const auto& toks = result_.tokens;
    return toks.size() >= 2 && toks.size() - 2 >= line_first_token_ &&
           toks[toks.size() - 2].IsName("bytes");
  }

  void LexRawBytes() {
    const Loc loc = Here();
    const size_t begin = pos_;
    while (pos_ < text_.size() && text_[pos_] != ')' && text_[pos_] != '\n' && text_[pos_] != '#') {
      Advance();
    }
    if (pos_ >= text_.size() || text_[pos_] != ')') {
      Error(loc, "bytes( needs its closing `)` on the same line");
    }
    Push(Token::Kind::kRawBytes, loc, begin, std::string(text_.substr(begin, pos_ - begin)));
  }

  // EndLine notices a `filter NAME bpf {` line; its block is lexed raw next.
  void EndLine() {
    const auto& toks = result_.tokens;
    if (toks.size() - line_first_token_ != 4) {
      return;
    }
    const Token* t = &toks[line_first_token_];
    if (t[0].IsName("filter") && t[1].kind == Token::Kind::kName && t[2].IsName("bpf") &&
        t[3].IsPunct("{")) {
      raw_block_pending_ = true;
      raw_block_open_ = t[3].loc;
    }
  }

  // StripBpfComment returns the line with a scenario comment removed: `#` at the
  // start of the line (after blanks) or followed by a blank or the line's end.
  static std::string_view StripBpfComment(std::string_view line) {
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] != '#') {
        continue;
      }
      const bool at_start = line.find_first_not_of(" \t") == i;
      const bool before_blank = i + 1 == line.size() || IsBlank(line[i + 1]);
      if (at_start || before_blank) {
        return line.substr(0, i);
      }
    }
    return line;
  }

  void LexRawBlock() {
    raw_block_pending_ = false;
    const Loc first = Here();
    const size_t begin = pos_;
    std::string block;
    while (pos_ < text_.size()) {
      size_t nl = text_.find('\n', pos_);
      if (nl == std::string_view::npos) {
        nl = text_.size();
      }
      std::string_view line = text_.substr(pos_, nl - pos_);
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      }
      std::string_view code = StripBpfComment(line);
      const size_t first_char = code.find_first_not_of(" \t");
      const size_t last_char = code.find_last_not_of(" \t");
      if (first_char != std::string_view::npos &&
          code.substr(first_char, last_char - first_char + 1) == "}") {
        const size_t block_end = pos_;
        PushRawBlock(first.line, begin, block_end, std::move(block));
        // The closing brace, then the rest of its line lexes normally (a comment).
        while (pos_ < block_end + first_char) {
          Advance();
        }
        const Loc loc = Here();
        const size_t brace = pos_;
        Advance();
        Push(Token::Kind::kPunct, loc, brace, "}");
        return;
      }
      block += code;
      block += '\n';
      while (pos_ < nl) {
        Advance();
      }
      if (pos_ < text_.size()) {
        Advance();  // the newline
      }
    }
    Error(raw_block_open_, "this `{` has no closing `}` line");
    PushRawBlock(first.line, begin, pos_, std::move(block));
  }

  void PushRawBlock(uint32_t line, size_t begin, size_t end, std::string block) {
    Token raw;
    raw.kind = Token::Kind::kRawBlock;
    raw.loc = Loc{line, 1};
    raw.begin = begin;
    raw.end = end;
    raw.text = std::move(block);
    result_.tokens.push_back(std::move(raw));
  }

  std::string_view file_;
  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
  size_t line_first_token_ = 0;
  bool raw_block_pending_ = false;
  Loc raw_block_open_;
  LexResult result_;
};

}  // namespace

LexResult Lex(std::string_view file, std::string_view text) { return Lexer(file, text).Run(); }

}  // namespace sclab::scn
