// SemVer 2.0 ordering and the registry's latest-version rules: semver versions by precedence, others by publish
// time, semver over non-semver, build metadata ignored.
#include <mcpreg/model/semver.hpp>

#include "test_data.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace mcpreg::model;

namespace {

timestamp at(int second) { return timestamp{timestamp::clock_time{std::chrono::seconds{1'750'000'000 + second}}}; }

// Publishes versions in order, one second apart, keeping the registry's latest as upstream does.
std::string latest_after_publishing(const std::vector<std::string>& versions)
{
    std::string latest;
    timestamp latest_published;
    for (std::size_t i = 0; i < versions.size(); ++i) {
        const auto published = at(static_cast<int>(i));
        if (latest.empty() || compare_versions(versions[i], latest, published, latest_published) > 0) {
            latest = versions[i];
            latest_published = published;
        }
    }
    return latest;
}

}  // namespace

TEST_CASE("is_semantic_version matches the registry's IsSemanticVersion table")
{
    for (auto v :
         {"1.0.0", "1.2.3", "0.0.0", "100.200.300", "1.0.0-alpha", "2.1.3-beta", "3.0.0-rc", "1.0.0-1", "1.0.0-alpha.1",
          "1.0.0-beta.2.3", "2021.11.15", "1.0.0-pre-release", "v1.0.0", "1.0.0+build.5", "1.0.0-rc.1+sha.abc"})
        CHECK_MESSAGE(is_semantic_version(v), v);
    for (auto v :
         {"", "1", "1.0", "1.0.0.0", "a.0.0", "1.b.0", "1.0.c", "1.0.0-", "1.0.0-alpha@1", "snapshot", "latest",
          "2021.03.05", "01.0.0", "1.0.0-01", "1.0.0+", "1.0.0-a..b", "v", "1.0.0 ", "99999999999999999999.0.0"})
        CHECK_FALSE_MESSAGE(is_semantic_version(v), v);
}

TEST_CASE("semver precedence")
{
    // The SemVer 2.0 specification's own example chain.
    const std::vector<std::string> chain = {"1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                                            "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0",
                                            "1.0.1",        "1.1.0",         "1.10.0",           "2.0.0"};
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
        auto a = semver::parse(chain[i]).value(), b = semver::parse(chain[i + 1]).value();
        CHECK_MESSAGE(a < b, chain[i] << " < " << chain[i + 1]);
        CHECK_MESSAGE(b > a, chain[i + 1] << " > " << chain[i]);
    }
    auto v = [](std::string_view s) { return semver::parse(s).value(); };
    CHECK(v("1.0.0-1") < v("1.0.0-alpha"));
    CHECK(v("1.0.0-rc.1") < v("1.0.0-rc.10"));
    CHECK(v("1.0.0-alpha.2") < v("1.0.0-alpha.10"));
    CHECK(v("1.0.0+build.1") == v("1.0.0+build.2"));  // build metadata has no precedence
    CHECK(v("v2.0.0") == v("2.0.0"));
    CHECK(v("1.0.0-x.7.z.92+meta").to_string() == "1.0.0-x.7.z.92+meta");
    CHECK(v("1.0.0-99999999999999999999") > v("1.0.0-9"));  // numeric identifiers of any size
}

TEST_CASE("latest selection: semver by precedence, non-semver by publish time, semver over non-semver")
{
    CHECK(latest_after_publishing({"2.0.0", "1.0.0", "2.1.0", "1.5.0"}) == "2.1.0");  // precedence, not order
    CHECK(latest_after_publishing({"1.0.0", "2.0.0"}) == "2.0.0");
    CHECK(latest_after_publishing({"1.0.0", "0.0.59"}) == "1.0.0");                  // published later, but lower
    CHECK(latest_after_publishing({"snapshot", "latest-build"}) == "latest-build");  // neither semver: the later one
    CHECK(latest_after_publishing({"1.0.0", "snapshot"}) == "1.0.0");                // semver beats non-semver
    CHECK(latest_after_publishing({"snapshot", "0.0.1"}) == "0.0.1");                // ... even when published later
    CHECK(latest_after_publishing({"1.0.0-alpha", "1.0.0"}) == "1.0.0");             // release over prerelease
    CHECK(latest_after_publishing({"1.0.0", "1.0.0-rc"}) == "1.0.0");
    CHECK(latest_after_publishing({"1.0.0-alpha.2", "1.0.0-alpha.10"}) == "1.0.0-alpha.10");  // numeric identifiers
    CHECK(latest_after_publishing({"1.2.0", "1.10.0"}) == "1.10.0");                          // compared as numbers
    CHECK(latest_after_publishing({"v1.0.0", "1.0.1"}) == "1.0.1");                           // v1.0.0 is semver
    CHECK(latest_after_publishing({"2021.03.05", "2021.03.04"}) == "2021.03.04");             // not semver: the later
    // Build metadata compares equal, so a later 1.0.0+build never replaces 2.0.0 nor 1.0.0.
    CHECK(latest_after_publishing({"1.0.0", "2.0.0", "1.0.0+20130313144700"}) == "2.0.0");
    CHECK(latest_after_publishing({"1.0.0", "1.0.0+b"}) == "1.0.0");
    CHECK(compare_versions("1.0.0", "1.0.0+b", at(0), at(1)) == 0);
    CHECK(compare_versions("a", "b", at(5), at(5)) == 0);
}

TEST_CASE("version ranges and wildcards are recognised as upstream does, specific versions and prereleases are not")
{
    for (auto v : {"^1.2.3", "~1.2.3", ">=1.2.3", ">= 1.2.3", "<2", "=1.0.0", "1.x", "1.*", "1.2.*", "1.2.X", "*.1",
                   "1.2.3 - 2.0.0", "1 - 2", "1.2 || 1.3", "1.0.0-beta || 2.0.0", " ^1.0.0 "})
        CHECK_MESSAGE(looks_like_version_range(v), v);
    for (auto v : {"1.2.3", "1.2.3-alpha.1", "2021.03.15", "snapshot", "snapshot - 2025.09", "v1.0", "latest", "",
                   "1.0.0+build", "x", "next"})
        CHECK_FALSE_MESSAGE(looks_like_version_range(v), v);
    CHECK_FALSE(looks_like_version_range(std::string(100'000, '1') + ".x"));  // bounded, not a stack overflow
}

TEST_CASE("pick_latest: the highest live version, else the highest deleted one, when the latest is recalculated")
{
    const auto at = [](const char* t) { return mcpreg::model::timestamp::parse(t).value(); };
    using mcpreg::model::latest_candidate;
    using mcpreg::model::pick_latest;
    CHECK_FALSE(pick_latest({}));
    std::vector<latest_candidate> versions{{"1.0.0", at("2025-01-01T00:00:00Z"), false},
                                           {"0.0.59", at("2025-01-02T00:00:00Z"), false}};
    CHECK(pick_latest(versions) == 0u);
    versions[0].deleted = true;  // delete 1.0.0: 0.0.59 takes over
    CHECK(pick_latest(versions) == 1u);
    versions[1].deleted = true;  // all deleted: the highest deleted one
    CHECK(pick_latest(versions) == 0u);
    versions.push_back({"snapshot", at("2025-01-03T00:00:00Z"), false});  // non-semver, but the only live one
    CHECK(pick_latest(versions) == 2u);
    versions.push_back({"0.1.0", at("2025-01-04T00:00:00Z"), false});  // semver beats non-semver
    CHECK(pick_latest(versions) == 3u);
}
