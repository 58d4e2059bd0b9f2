// Semantic Versioning 2.0 and the registry's rules for choosing the latest version.
#pragma once

#include <mcpreg/model/export.hpp>
#include <mcpreg/model/timestamp.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::model {

/// A SemVer 2.0 version. Ordering is SemVer precedence: build metadata is ignored.
struct MCPREG_MODEL_API semver {
    std::uint64_t major = 0;
    std::uint64_t minor = 0;
    std::uint64_t patch = 0;
    std::vector<std::string> prerelease;
    std::vector<std::string> build;

    /// Strict SemVer 2.0 with an optional leading `v`: three numeric parts without leading zeros,
    /// dot-separated pre-release and build identifiers of `[0-9A-Za-z-]`, no leading zeros in numeric
    /// pre-release identifiers.
    static std::optional<semver> parse(std::string_view text);

    /// The canonical text: MAJOR.MINOR.PATCH[-PRE][+BUILD].
    std::string to_string() const;

    friend bool operator==(const semver& a, const semver& b) noexcept { return (a <=> b) == 0; }
    friend std::strong_ordering operator<=>(const semver& a, const semver& b) noexcept;
};

/// The registry's `IsSemanticVersion`: what `semver::parse` accepts.
MCPREG_MODEL_API bool is_semantic_version(std::string_view version);

/// The registry's `CompareVersions`: > 0 when `a` should rank above `b` as the latest version.
/// Both semver: precedence. Neither: the later publish time wins. Mixed: the semver one wins.
MCPREG_MODEL_API int compare_versions(std::string_view a, std::string_view b, const timestamp& a_published,
                                      const timestamp& b_published);

/// One version of a server, as the latest-version rule sees it.
struct latest_candidate {
    std::string version;
    timestamp published;
    bool deleted = false;
};

/// The registry's `recalculateLatest`: the index of the highest non-deleted version by compare_versions,
/// else (every version deleted) of the highest deleted one; nullopt for an empty list.
MCPREG_MODEL_API std::optional<std::size_t> pick_latest(const std::vector<latest_candidate>& candidates);

/// True when a version string is a range or wildcard (`^1.2`, `~1`, `>=1.0`, `1.x`, `1 - 2`, `1.2 || 1.3`)
/// rather than one specific version: the registry refuses those.
MCPREG_MODEL_API bool looks_like_version_range(std::string_view version);

}  // namespace mcpreg::model
