// ValidationCache: a remembered program is exactly what Validate() returns, the
// options are part of the key, rejections are never kept, eviction is oldest first.
#include <boost/test/unit_test.hpp>
#include <vector>

#include "bpf/validation_cache.h"
#include "tests/bpf/test_util.h"

namespace sclab::bpf {
namespace {

// ld len; ld [nr]; jeq #39, +0, +1; ret #ALLOW; ret #KILL: a LEN rewrite, a data load,
// a conditional jump.
std::vector<Insn> Sample(uint32_t allow = 0x7fff0000) {
  return {Stmt(kLdWLen, 0), Stmt(kLdWAbs, 0), Jump(kJeqK, 39, 0, 1), Stmt(kRetK, allow),
          Stmt(kRetK, 0)};
}

void ExpectSame(const ValidatedProgram& got, const ValidatedProgram& want) {
  BOOST_TEST(std::vector<Insn>(got.Insns().begin(), got.Insns().end()) ==
                 std::vector<Insn>(want.Insns().begin(), want.Insns().end()),
             boost::test_tools::per_element());
  BOOST_TEST(std::vector<Insn>(got.Original().begin(), got.Original().end()) ==
                 std::vector<Insn>(want.Original().begin(), want.Original().end()),
             boost::test_tools::per_element());
  BOOST_TEST(got.TranslatedLength() == want.TranslatedLength());
  BOOST_TEST(got.MaxDataOffset() == want.MaxDataOffset());
  BOOST_TEST(got.DataSize() == want.DataSize());
  BOOST_REQUIRE_EQUAL(got.Decoded().size(), want.Decoded().size());
  for (size_t i = 0; i < got.Decoded().size(); ++i) {
    BOOST_TEST((got.Decoded()[i].handler == want.Decoded()[i].handler));
    BOOST_TEST(got.Decoded()[i].k == want.Decoded()[i].k);
  }
}

BOOST_AUTO_TEST_SUITE(bpf_validation_cache)

BOOST_AUTO_TEST_CASE(a_hit_is_what_validate_returns) {
  ValidationCache cache;
  const ValidatedProgram fresh = MustValidate(Sample());
  auto first = cache.Validate(Sample());
  auto second = cache.Validate(Sample());
  BOOST_REQUIRE(first.ok());
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(cache.misses() == 1U);
  BOOST_TEST(cache.hits() == 1U);
  ExpectSame(**first, fresh);
  ExpectSame(**second, fresh);
  BOOST_TEST(first->get() == second->get());   // the same program, shared
  BOOST_TEST((*second)->Insns()[0].k == 64U);  // ld len -> ld #64
  // Prologue 3, two loads, a JEQ with jt 0 (one inverted test), two RETs of 2.
  BOOST_TEST((*second)->TranslatedLength() == 3 + 1 + 1 + 1 + 2 + 2);
}

BOOST_AUTO_TEST_CASE(options_are_part_of_the_key) {
  ValidationCache cache;
  auto narrow = cache.Validate(Sample());
  auto wide = cache.Validate(Sample(), ValidateOptions{128});
  BOOST_REQUIRE(narrow.ok());
  BOOST_REQUIRE(wide.ok());
  BOOST_TEST(cache.misses() == 2U);
  BOOST_TEST((*narrow)->Insns()[0].k == 64U);
  BOOST_TEST((*wide)->Insns()[0].k == 128U);
  ExpectSame(**wide, MustValidate(Sample(), ValidateOptions{128}));
}

BOOST_AUTO_TEST_CASE(one_changed_field_is_another_program) {
  ValidationCache cache;
  (void)cache.Validate(Sample());
  auto other = cache.Validate(Sample(0x7ffc0000));
  BOOST_REQUIRE(other.ok());
  BOOST_TEST(cache.misses() == 2U);
  BOOST_TEST(cache.hits() == 0U);
  BOOST_TEST((*other)->Insns()[3].k == 0x7ffc0000U);
}

BOOST_AUTO_TEST_CASE(rejections_are_reported_each_time_and_not_kept) {
  ValidationCache cache;
  const std::vector<Insn> bad = {Stmt(kLdMem, 3), Stmt(kRetA, 0)};  // M[3] never written
  for (int i = 0; i < 2; ++i) {
    auto r = cache.Validate(bad);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().insn == 0);
    BOOST_TEST(std::string(r.error().rule) == "check_load_and_stores");
  }
  BOOST_TEST(cache.misses() == 2U);
  BOOST_TEST(cache.size() == 0U);
}

BOOST_AUTO_TEST_CASE(evicts_the_oldest_first) {
  ValidationCache cache(2);
  (void)cache.Validate(Sample(1));
  (void)cache.Validate(Sample(2));
  (void)cache.Validate(Sample(3));  // evicts 1
  BOOST_TEST(cache.size() == 2U);
  (void)cache.Validate(Sample(2));
  BOOST_TEST(cache.hits() == 1U);
  (void)cache.Validate(Sample(1));  // gone: a miss, which evicts 2
  BOOST_TEST(cache.misses() == 4U);
  (void)cache.Validate(Sample(3));
  BOOST_TEST(cache.hits() == 2U);
  (void)cache.Validate(Sample(2));
  BOOST_TEST(cache.misses() == 5U);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::bpf
