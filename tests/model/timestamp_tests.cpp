// RFC 3339 timestamps with 0 to 9 fraction digits.
#include <mcpreg/model/timestamp.hpp>

#include "test_data.hpp"

#include <doctest/doctest.h>

using namespace mcpreg::model;
using namespace std::chrono;

TEST_CASE("timestamps parse with 0 to 9 fraction digits and keep their text")
{
    for (auto text : {"2025-09-09T00:16:49Z", "2025-09-09T00:16:49.1Z", "2025-09-09T00:16:49.16262Z",
                      "2025-09-16T13:14:05.094878294Z", "2025-12-31T23:59:60Z", "2024-02-29T12:00:00+05:30",
                      "2025-01-01t00:00:00z"}) {
        auto parsed = timestamp::parse(text);
        REQUIRE_MESSAGE(parsed, text);
        CHECK(parsed->to_string() == text);
    }
    auto t = timestamp::parse("2025-09-16T13:14:05.094878294Z").value();
    CHECK(t.time().time_since_epoch() == nanoseconds{1758028445094878294});
}

TEST_CASE("offsets are instants: equal times compare equal")
{
    CHECK(timestamp::parse("2025-01-01T00:00:00Z").value() == timestamp::parse("2025-01-01T01:00:00+01:00").value());
    CHECK(timestamp::parse("2025-01-01T00:00:00Z").value() <
          timestamp::parse("2025-01-01T00:00:00.000000001Z").value());
    CHECK(timestamp::parse("2024-12-31T23:30:00-01:00").value() > timestamp::parse("2025-01-01T00:00:00Z").value());
}

TEST_CASE("malformed timestamps are errors, not crashes")
{
    for (auto text :
         {"", "2025", "2025-09-09", "2025-09-09T00:16:49", "2025-09-09T00:16:49.Z", "2025-09-09T00:16:49.1234567890Z",
          "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-09-09T24:00:00Z", "2025-09-09T00:60:00Z",
          "2025-09-09T00:00:00+2400", "2025-09-09T00:00:00Zjunk", "2025-09-09X00:00:00Z", "２０２５-09-09T00:00:00Z",
          "2025-09-09T00:00:00+05:3"}) {
        auto parsed = timestamp::parse(text);
        CHECK_FALSE_MESSAGE(parsed, text);
        if (!parsed) CHECK(parsed.error().code == mcpreg::errc::invalid_timestamp);
    }
}

TEST_CASE("well-formed timestamps outside 64-bit nanoseconds are refused, not overflowed (fuzz finding)")
{
    for (auto text : {"0001-01-01T00:00:00Z", "1677-12-31T23:59:59Z", "2262-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                      "1036-11-03T00:00:00+23:59"}) {
        auto parsed = timestamp::parse(text);
        CHECK_FALSE_MESSAGE(parsed, text);
        if (!parsed) CHECK(parsed.error().diag.message.find("out of range") != std::string::npos);
    }
    CHECK(timestamp::parse("1678-01-02T00:00:00Z"));
    CHECK(timestamp::parse("2261-12-31T23:59:59.999999999Z"));
}

TEST_CASE("formatting trims fraction zeros like Go's RFC3339Nano")
{
    auto base = sys_days{year{2025} / 9 / 9} + hours{0} + minutes{16} + seconds{49};
    CHECK(format_rfc3339(base) == "2025-09-09T00:16:49Z");
    CHECK(format_rfc3339(base + nanoseconds{162620000}) == "2025-09-09T00:16:49.16262Z");
    CHECK(format_rfc3339(base + nanoseconds{1}) == "2025-09-09T00:16:49.000000001Z");
    CHECK(timestamp{base}.to_string() == "2025-09-09T00:16:49Z");
    auto round_trip = timestamp::parse(timestamp::now().to_string());
    CHECK(round_trip);
}
