// Rng is the project's own deterministic random generator (xoshiro256**, seeded
// through SplitMix64). No std::*_distribution is used anywhere: their output differs
// between standard libraries, and a run must be reproducible from its printed seed.
//
// Named sub-streams: Rng::Stream(seed, "ids") derives an independent generator from
// the run seed and a name, so a draw in one stream never shifts another.
#pragma once

#include <cstdint>
#include <string_view>

namespace sclab {

// SplitMix64 advances *state and returns the next 64-bit output.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t s = seed;
    for (uint64_t& word : s_) word = SplitMix64(&s);
  }

  // Stream derives the generator named `name` from `seed` (FNV-1a of the name mixed in).
  static Rng Stream(uint64_t seed, std::string_view name) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : name) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    return Rng(seed ^ h);
  }

  // Next returns 64 uniformly distributed bits.
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Below returns a value in [0, bound) (bound > 0), without modulo bias.
  uint64_t Below(uint64_t bound) {
    const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % bound);
    uint64_t v = Next();
    while (v >= limit) v = Next();
    return v % bound;
  }

  // Chance returns true with probability num/den.
  bool Chance(uint64_t num, uint64_t den) { return Below(den) < num; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace sclab
