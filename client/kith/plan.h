// A safety plan: named sections, each versioned in its owner's vault and
// shared, section by section, into direct conversations with the contacts
// the owner chooses (see Vault::EditPlan).
#ifndef KITH_CLIENT_PLAN_H_
#define KITH_CLIENT_PLAN_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace kith::client {

struct PlanSectionName {
  const char* key;
  const char* title;
};

// The sections of a safety plan as safety-planning practice lays them out.
inline constexpr PlanSectionName kStandardPlanSections[] = {
    {"warning-signs", "Warning signs"},
    {"coping-strategies", "Internal coping strategies"},
    {"distractions", "People and places that help distract"},
    {"people-to-ask", "People to ask for help"},
    {"professionals", "Professionals, agencies and hotlines"},
    {"safe-environment", "Making the environment safe"},
    {"documents", "Important documents (what and where)"},
    {"safe-places", "Safe places"},
    {"emergency-money", "Emergency money"},
    {"exit-plans", "Exit plans for different settings"},
    {"coping-scripts", "Coping scripts"},
    {"reasons-for-living", "Reasons for living"},
};

inline constexpr size_t kMaxPlanSectionNameBytes = 40;

// A standard section's key, or a custom name: lower-case letters, digits
// and dashes, 1 to 40 of them. INVALID_ARGUMENT otherwise.
absl::Status CheckPlanSectionName(std::string_view name);
// What people read: a standard section's title, or a custom name as it is.
std::string PlanSectionTitle(std::string_view name);

}  // namespace kith::client

#endif  // KITH_CLIENT_PLAN_H_
