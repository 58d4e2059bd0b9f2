// The tool's pieces that need no registry: registry text made safe for a terminal, and database locations
// made fit for a log.
#include "database_location.hpp"
#include "terminal.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace json = boost::json;
using namespace mcpreg::cli;

namespace {

// Whether `text` holds a byte a terminal would act on: C0 (newline allowed if `newline_ok`), DEL, the UTF-8
// of a C1 control or of a bidi control. (The checks below also compare whole outputs; this is the property.)
bool inert(std::string_view text, bool newline_ok = false)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n' && newline_ok) continue;
        if (c < 0x20 || c == 0x7F) return false;
        if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return false;
    }
    for (const char* bidi : {"\u061C", "\u200E", "\u200F", "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066",
                             "\u2067", "\u2068", "\u2069"})
        if (text.find(bidi) != std::string_view::npos) return false;
    return true;
}

}  // namespace

TEST_CASE("terminal_text: ordinary text, accents, CJK and emoji pass unchanged")
{
    for (const std::string text : {"", "io.github.user/server 1.2.3", "Café crème, naïve façade", "日本語のサーバー",
                                   "한국어", "emoji 🚀👩‍💻🇫🇷", "Ελληνικά", "עברית ومرحبا",
                                   "C:\\Program Files\\x", "a \"quoted\" 'text' ~`!@#$%^&*()"}) {
        CHECK(terminal_text(text) == text);
        CHECK(terminal_block(text) == text);
    }
}

TEST_CASE("terminal_text: C0 controls, DEL and ESC sequences become visible escapes")
{
    CHECK(terminal_text("\x1b[2J\x1b[31mred") == "\\x1b[2J\\x1b[31mred");
    CHECK(terminal_text("line one\nline two\ttab\rback") == "line one\\nline two\\ttab\\rback");
    CHECK(terminal_text(std::string("nul\0here", 8)) == "nul\\x00here");
    CHECK(terminal_text("bell\x07 bs\x08 del\x7f") == "bell\\x07 bs\\x08 del\\x7f");
    // OSC 52 writes the clipboard; OSC 8 makes a hyperlink.
    CHECK(terminal_text("\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07") == "\\x1b]52;c;Y3VybCBldmlsIHwgc2g=\\x07");
    CHECK(terminal_text("\x1b]8;;https://evil.example\x1b\\safe\x1b]8;;\x1b\\") ==
          "\\x1b]8;;https://evil.example\\x1b\\safe\\x1b]8;;\\x1b\\");
    CHECK(inert(terminal_text("\x1b]52;c;Y3VybA==\x07\x1b[H\x1b[2J")));
}

TEST_CASE("terminal_text: C1 controls, the 8-bit CSI among them, become code point escapes")
{
    CHECK(terminal_text("\xC2\x9B"
                        "31m") == "\\u009b31m");  // CSI
    CHECK(terminal_text("\xC2\x9D"
                        "52;c;x\xC2\x9C") == "\\u009d52;c;x\\u009c");  // OSC ... ST
    CHECK(terminal_text("\xC2\x80\xC2\x85\xC2\x9F") == "\\u0080\\u0085\\u009f");
    CHECK(terminal_text("\xC2\xA0\xC2\xA9") == "\xC2\xA0\xC2\xA9");  // NBSP and (c) are not controls
}

TEST_CASE("terminal_text: bidi controls become code point escapes")
{
    // "Trojan source": U+202E shows "exe.txt" as "txt.exe".
    CHECK(terminal_text("invoice\u202Etxt.exe") == "invoice\\u202etxt.exe");
    CHECK(terminal_text("\u202A\u202B\u202C\u202D") == "\\u202a\\u202b\\u202c\\u202d");
    CHECK(terminal_text("\u2066\u2067\u2068\u2069") == "\\u2066\\u2067\\u2068\\u2069");
    CHECK(terminal_text("\u200E\u200F\u061C") == "\\u200e\\u200f\\u061c");
    CHECK(terminal_text("\u2065\u206A\u200D\u2029") == "\u2065\u206A\u200D\u2029");  // neighbours are kept
}

TEST_CASE("terminal_text: invalid UTF-8 becomes U+FFFD, overlong forms included")
{
    const std::string replacement = "\xEF\xBF\xBD";
    CHECK(terminal_text("a\xFF"
                        "b") == "a" + replacement + "b");
    CHECK(terminal_text("\xC0\x9B") == replacement + replacement);  // an overlong ESC... stays hidden
    CHECK(terminal_text("\xC0\x80") == replacement + replacement);  // overlong NUL
    CHECK(terminal_text("\xE0\x80\x9B") == replacement + replacement + replacement);
    CHECK(terminal_text("\xC1\xBF") == replacement + replacement);
    CHECK(terminal_text("\xED\xA0\x80") == replacement + replacement + replacement);  // a UTF-16 surrogate
    CHECK(terminal_text("\xF4\x90\x80\x80") == replacement + replacement + replacement + replacement);  // > 10FFFF
    CHECK(terminal_text("\xF5\xF8\xFE") == replacement + replacement + replacement);
    CHECK(terminal_text("cut \xE6\x97") == "cut " + replacement + replacement);  // truncated at the end
    CHECK(terminal_text("\xE6\x97x") == replacement + replacement + "x");        // truncated in the middle
    CHECK(terminal_text("\x80\xBF") == replacement + replacement);               // stray continuations
    // A truncated lead byte never swallows the ESC after it.
    CHECK(terminal_text("\xE2\x1b[2J") == replacement + "\\x1b[2J");
    CHECK(terminal_text("\xF0\x9F\x9A\x80") == "\xF0\x9F\x9A\x80");  // and a 4-byte sequence is whole
}

TEST_CASE("terminal_block keeps newlines and nothing else")
{
    CHECK(terminal_block("one\ntwo\n") == "one\ntwo\n");
    CHECK(terminal_block("one\r\ntwo") == "one\\r\ntwo");
    CHECK(terminal_block("\x1b[1Aup\ttab\u202E") == "\\x1b[1Aup\\ttab\\u202e");
    CHECK(inert(terminal_block("a\n\x1b]52;c;x\x07\n\xC2\x9B"), true));
}

TEST_CASE("terminal_json: the same JSON value, with C1, DEL and bidi controls escaped")
{
    const std::string hostile = "esc \x1b[31m osc \x1b]52;c;eA==\x07 csi \xC2\x9B"
                                "2J del \x7f bidi \u202E\u2066 ok é 日本 🚀 \\ \"";
    const json::value value = {{"description", hostile}, {"list", {hostile, 1, 2.5, nullptr, true}}, {hostile, "key"}};
    const auto text = terminal_json(value);
    CHECK(inert(text));
    CHECK(json::parse(text) == value);
    CHECK(text.find("\\u001b") != std::string::npos);
    CHECK(text.find("\\u009b") != std::string::npos);
    CHECK(text.find("\\u007f") != std::string::npos);
    CHECK(text.find("\\u202e") != std::string::npos);
    CHECK(text.find("é 日本 🚀") != std::string::npos);  // printable text stays as it is
    // Nothing to escape: exactly Boost.JSON's serialization.
    CHECK(terminal_json(json::value{{"a", "b"}, {"n", 1}}) == R"({"a":"b","n":1})");
}

TEST_CASE("terminal_json_text: pretty-printed JSON keeps its layout")
{
    const std::string pretty = "{\n  \"a\": \"x\xC2\x9By\",\n  \"b\": \"\u202E\"\n}\n";
    const auto text = terminal_json_text(pretty);
    CHECK(text == "{\n  \"a\": \"x\\u009by\",\n  \"b\": \"\\u202e\"\n}\n");
    CHECK(json::parse(text) == json::parse(pretty));
    CHECK(terminal_json_text("\"\xFF\"") == "\"\\ufffd\"");  // invalid UTF-8 never reaches the terminal
}

TEST_CASE("masked_database_location: URI userinfo and every password parameter")
{
    CHECK(masked_database_location("postgresql://mcpreg:s3cret@db:5432/registry") ==
          "postgresql://mcpreg:***@db:5432/registry");
    CHECK(masked_database_location("postgres://mcpreg@db/registry?sslmode=require") ==
          "postgres://mcpreg@db/registry?sslmode=require");
    // The old masker stopped at the first "password=", which here is sslpassword's: password's value showed.
    CHECK(masked_database_location("postgresql://db/r?sslpassword=keypass&password=dbpass&sslmode=require") ==
          "postgresql://db/r?sslpassword=***&password=***&sslmode=require");
    CHECK(masked_database_location("postgresql://u:p@db/r?PASSWORD=x&SslPassword=y") ==
          "postgresql://u:***@db/r?PASSWORD=***&SslPassword=***");
    CHECK(masked_database_location("postgresql://db/r?pass%77ord=x") == "postgresql://db/r?pass%77ord=***");
    CHECK(masked_database_location("postgresql://db/r?password=a&b&sslmode=disable") ==
          "postgresql://db/r?password=***&sslmode=disable");  // an unencoded '&' in the value
    CHECK(masked_database_location("postgresql://u:p@ss@db/r") == "postgresql://u:***@db/r");
    // Unencoded '?' and '/' in a password: libpq may stop reading it there, but it is hidden whole.
    CHECK(masked_database_location("postgresql://u:pa?ss@db/r") == "postgresql://u:***@db/r");
    CHECK(masked_database_location("postgresql://u:pa/ss@db/r?sslmode=require") ==
          "postgresql://u:***@db/r?sslmode=require");
    CHECK(masked_database_location("postgresql://u:p@a?ss@db/r") == "postgresql://u:***@db/r");
    CHECK(masked_database_location("postgresql://u:pa/ss@db") == "postgresql://u:***@db");
    CHECK(masked_database_location(" postgresql://u:pw@db/r") == " postgresql://u:***@db/r");  // a stray space
    // Keyword/value words mixed into a URI (libpq refuses it, quoting the text).
    CHECK(masked_database_location("postgresql://db/r password=s3cret sslmode=require") ==
          "postgresql://db/r password=*** sslmode=require");
    CHECK(masked_database_location("postgresql://db/r?password=") == "postgresql://db/r?password=***");
    CHECK(masked_database_location("postgresql://u:p%40ss@h1:5432,h2:5433/r?target_session_attrs=any") ==
          "postgresql://u:***@h1:5432,h2:5433/r?target_session_attrs=any");
    CHECK(masked_database_location("postgresql://u:@db/r") == "postgresql://u:***@db/r");
    CHECK(masked_database_location("postgresql://db/r?sslrootcert=/etc/a@b.pem") ==
          "postgresql://db/r?sslrootcert=/etc/a@b.pem");
}

TEST_CASE("masked_database_location: keyword/value strings")
{
    CHECK(masked_database_location("host=db password=s3cret dbname=r") == "host=db password=*** dbname=r");
    CHECK(masked_database_location("host=db sslpassword=a password = 'two words' port=5432") ==
          "host=db sslpassword=*** password = '***' port=5432");
    CHECK(masked_database_location("password='it\\'s' host=db") == "password='***' host=db");
    CHECK(masked_database_location("Password=x\\ y host=db") == "Password=*** host=db");
    // Unreadable: everything after the first "password" is hidden.
    CHECK(masked_database_location("host=db password='unterminated secret") == "host=db password***");
    CHECK(masked_database_location("host=db garbage password=x") == "host=db garbage password***");
    // A URL in a value does not make the string a URI.
    CHECK(masked_database_location("application_name=http://x/y password=s3cret") ==
          "application_name=http://x/y password=***");
}

TEST_CASE("masked_database_location: files are left alone")
{
    for (const std::string location : {":memory:", "/var/lib/mcpreg/registry.db", "registry.db",
                                       "/srv/passwords/registry.db", "C:\\data\\registry.db"})
        CHECK(masked_database_location(location) == location);
}

TEST_CASE("without_database_secrets: connection errors that quote the location")
{
    const std::string uri = "postgresql://mcpreg:p%40ss word@db/r?sslpassword=k3y&password=other";
    const auto masked = without_database_secrets(
        "PostgreSQL: cannot connect: unexpected spaces found in \"" + uri + "\"; password p@ss word, k3y, other", uri);
    CHECK(masked.find("p%40ss") == std::string::npos);
    CHECK(masked.find("p@ss") == std::string::npos);
    CHECK(masked.find("k3y") == std::string::npos);
    CHECK(masked.find("other") == std::string::npos);
    CHECK(masked.find("PostgreSQL: cannot connect: unexpected spaces found in \"postgresql://mcpreg:***@db/r?") !=
          std::string::npos);
    CHECK(without_database_secrets("no such file: /x/registry.db", "/x/registry.db") == "no such file: /x/registry.db");
}
