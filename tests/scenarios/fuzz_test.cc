// The robustness test: 10,000 seeded random mutations of scenario files (deleted,
// duplicated and swapped tokens and lines, random bytes) must each give either a
// Scenario or diagnostics — never a crash, a hang or a leak (it also runs under
// ASan/UBSan: tests/asan_targets.txt). Every clean parse is run too, so the runner
// meets the same inputs.
//
// The inputs are the corpus (scenarios/corpus/**/*.scn) when it exists, else this
// test's own data files. Reproduce a failure with the printed seed and mutation index.
#define BOOST_TEST_MODULE scenarios_fuzz
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "base/rng.h"
#include "fake_machine.h"
#include "scenarios/lexer.h"
#include "scenarios/parser.h"
#include "scenarios/runner.h"
#include "scenarios/sim_backend.h"
#include "test_files.h"

namespace sclab::scn {
namespace {

constexpr uint64_t kSeed = 20261128;
constexpr int kMutations = 10000;

std::vector<std::pair<std::string, std::string>> Inputs() {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* dir : {"scenarios/corpus", "tests/scenarios/data"}) {
    const fs::path root = fs::path(SCLAB_SOURCE_DIR) / dir;
    if (!fs::exists(root)) {
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && entry.path().extension() == ".scn") {
        const std::string relative = fs::relative(entry.path(), SCLAB_SOURCE_DIR).string();
        files.emplace_back(relative, testing::ReadSourceFile(relative));
      }
    }
    if (!files.empty()) {
      break;  // the corpus when there is one
    }
  }
  std::sort(files.begin(), files.end());  // directory order is not deterministic
  return files;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      nl = text.size();
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i] + (i + 1 < lines.size() ? "\n" : "");
  }
  return out;
}

// Mutate applies one to three random edits.
std::string Mutate(std::string text, Rng& rng) {
  const uint64_t edits = 1 + rng.Below(3);
  for (uint64_t e = 0; e < edits; ++e) {
    const uint64_t kind = rng.Below(8);
    if (kind < 3) {  // lines: delete, duplicate, swap
      std::vector<std::string> lines = Lines(text);
      const size_t a = rng.Below(lines.size());
      const size_t b = rng.Below(lines.size());
      if (kind == 0) {
        lines.erase(lines.begin() + static_cast<ptrdiff_t>(a));
      }
      if (kind == 1) {
        lines.insert(lines.begin() + static_cast<ptrdiff_t>(a), lines[b]);
      }
      if (kind == 2) {
        std::swap(lines[a], lines[b]);
      }
      text = Join(lines);
    } else if (kind < 6) {  // tokens: delete, duplicate, swap (the lexer's byte ranges)
      const std::vector<Token> tokens = Lex("m.scn", text).tokens;
      if (tokens.size() < 2) {
        continue;
      }
      const Token& a = tokens[rng.Below(tokens.size() - 1)];
      const Token& b = tokens[rng.Below(tokens.size() - 1)];
      const std::string ta = text.substr(a.begin, a.end - a.begin);
      const std::string tb = text.substr(b.begin, b.end - b.begin);
      if (kind == 3) {
        text.erase(a.begin, a.end - a.begin);
      } else if (kind == 4) {
        text.insert(a.begin, tb + " ");
      } else if (a.begin != b.begin) {
        const Token& first = a.begin < b.begin ? a : b;
        const Token& second = a.begin < b.begin ? b : a;
        if (first.end > second.begin) {
          continue;
        }
        const std::string t1 = text.substr(first.begin, first.end - first.begin);
        const std::string t2 = text.substr(second.begin, second.end - second.begin);
        text.replace(second.begin, second.end - second.begin, t1);
        text.replace(first.begin, first.end - first.begin, t2);
      }
    } else if (kind == 6) {  // random bytes inserted
      const size_t at = rng.Below(text.size() + 1);
      std::string bytes;
      for (uint64_t i = 0, n = 1 + rng.Below(8); i < n; ++i) {
        bytes += static_cast<char>(rng.Below(256));
      }
      text.insert(at, bytes);
    } else if (!text.empty()) {  // a byte replaced
      text[rng.Below(text.size())] = static_cast<char>(rng.Below(256));
    }
  }
  return text;
}

// RunParsed runs a clean parse on the scripted fake and on the simulator, so the
// runner and the simulated kernel meet every shape the parser lets through.
void RunParsed(const Scenario& scenario) {
  testing::FakeMachine fake;
  (void)RunScenario(scenario, fake, RunOptions{});
  (void)SimBackend(RunOptions{}).Run(scenario);
}

struct Figures {
  int clean = 0;
  int rejected = 0;
  size_t diagnostics = 0;
  // The slowest input, reported for information only: a hang is caught by the
  // runner's step and task budgets and, failing those, by CTest's timeout; wall
  // time is never asserted (it depends on the machine and on the sanitizers).
  double slowest_seconds = 0;
  int slowest_index = -1;
};

void Exercise(const std::string& text, Figures* figures, int index) {
  const auto start = std::chrono::steady_clock::now();
  const ParseResult r = ParseScenario("m.scn", text);
  BOOST_TEST_REQUIRE(r.scenario.has_value() == r.diagnostics.empty(),
                     "mutation " << index << " gave both or neither");
  const uint32_t lines = static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const Diagnostic& d : r.diagnostics) {
    BOOST_TEST_REQUIRE((d.loc.line >= 1 && d.loc.line <= lines && d.loc.col >= 1),
                       "mutation " << index << ": " << d.Headline());
    BOOST_TEST_REQUIRE(!d.Format().empty());
  }
  if (r.scenario) {
    ++figures->clean;
    RunParsed(*r.scenario);
  } else {
    ++figures->rejected;
    figures->diagnostics += r.diagnostics.size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (seconds > figures->slowest_seconds) {
    figures->slowest_seconds = seconds;
    figures->slowest_index = index;
  }
}

BOOST_AUTO_TEST_SUITE(scn_fuzz)

BOOST_AUTO_TEST_CASE(ten_thousand_mutations_parse_or_are_diagnosed) {
  const auto inputs = Inputs();
  BOOST_TEST_REQUIRE(!inputs.empty());
  Rng rng(kSeed);
  Figures figures;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& [name, text] : inputs) {
    Exercise(text, &figures, -1);  // unmutated
  }
  for (int i = 0; i < kMutations; ++i) {
    const auto& input = inputs[rng.Below(inputs.size())];
    Exercise(Mutate(input.second, rng), &figures, i);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "scenarios_fuzz: seed=" << kSeed << " inputs=" << inputs.size()
            << " mutations=" << kMutations << " clean=" << figures.clean
            << " rejected=" << figures.rejected << " diagnostics=" << figures.diagnostics
            << " seconds=" << seconds << " slowest=mutation " << figures.slowest_index << " ("
            << figures.slowest_seconds << " s)\n";
  BOOST_TEST(figures.clean + figures.rejected == kMutations + static_cast<int>(inputs.size()));
  BOOST_TEST(figures.rejected > 0);
  BOOST_TEST(figures.clean > 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
