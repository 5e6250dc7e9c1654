// ProposalVerbRegistry is the explicit list of verbs that API proposals add to the
// scenario language (sim only). The parser accepts a proposal verb only in a file
// that says `requires proposal NAME` for the verb's proposal. BuiltinProposalVerbs()
// holds the verbs of every plug-in of kernel_sim/proposals (their signatures; the
// runner asks the plug-in for the syscall, see Verb::kProposal). Tests build their own
// registry and hand it to the parser (ParseOptions), so nothing global changes.
//
// A signature is deliberately small: positional parameters of a few kinds (a value,
// an address that may be a string literal, a task, a notification, a filter), how
// many of them are required, the key=VALUE arguments accepted, and what `-> NAME`
// binds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sclab::scn {

enum class ParamKind : uint8_t { kValue, kAddress, kTask, kNotification, kFilter };
enum class BindKind : uint8_t { kValue, kNotification, kTask, kSizes };

struct ProposalVerb {
  std::string proposal;           // "ea_notif"
  std::string verb;               // the name used in a step
  std::vector<ParamKind> params;  // positional parameters, in order
  size_t required = 0;            // how many leading params must be given
  std::vector<std::string> keys;  // accepted key=VALUE arguments (values)
  BindKind binds = BindKind::kValue;
  // fields a binding has (`NAME.FIELD`, written "how.flags", "ids[1]"): for a value
  // binding all of them, for a notification those besides its own.
  std::vector<std::string> fields;
};

class ProposalVerbRegistry {
 public:
  // Add registers a verb; false (and no change) when the verb name is taken or
  // `required` exceeds the parameter count.
  [[nodiscard]] bool Add(ProposalVerb verb);
  const ProposalVerb* Find(std::string_view verb) const;
  bool KnowsProposal(std::string_view proposal) const;
  // Proposals lists the proposal names that have verbs, sorted, without repeats.
  std::vector<std::string> Proposals() const;

 private:
  std::vector<ProposalVerb> verbs_;
};

// BuiltinProposalVerbs is the registry the CLI parses with.
const ProposalVerbRegistry& BuiltinProposalVerbs();

}  // namespace sclab::scn
