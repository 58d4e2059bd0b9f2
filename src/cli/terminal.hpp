// Registry text on a terminal. A registry entry, a registry's error message or a file's contents is written by
// someone else, and a terminal obeys escape sequences in what it is given: ESC [ ... (cursor moves, colours,
// clearing the screen), OSC 52 (writing the clipboard), OSC 8 (hyperlinks whose target differs from their
// text), 8-bit C1 controls, and Unicode bidi controls that reorder what is shown. Every piece of such text the
// tool prints goes through these functions, so none of it reaches a terminal as anything but visible text.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace mcpreg::cli {

/// Registry text made safe for a terminal, on one line: C0 controls (newline and tab included), DEL, C1
/// controls (U+0080..U+009F), and Unicode bidi controls (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F,
/// U+061C) become visible escapes (e.g. \x1b, \u202e); invalid UTF-8 bytes become U+FFFD.
///
/// The escapes are `\n`, `\r` and `\t` for those three, `\xHH` for the other C0 controls and DEL, and `\uHHHH`
/// for C1 and bidi controls (lowercase hex). They are for reading, not for decoding: a backslash in the text is
/// left as it is (Windows paths and regular expressions stay readable), so the text `\x1b` and an escaped ESC
/// print alike; neither does anything to the terminal. Everything else, accents, CJK and emoji included, is
/// unchanged, and the result is always valid UTF-8.
std::string terminal_text(std::string_view text);

/// The same, but keeps \n (for multi-line blocks). A carriage return is still escaped: it would let a line
/// overwrite itself on screen.
std::string terminal_block(std::string_view text);

/// JSON text for a terminal: Boost.JSON's serialization, with C1 controls, DEL and bidi controls also written
/// as \uXXXX escapes (the same JSON value; Boost.JSON already escapes C0).
std::string terminal_json(const boost::json::value& v);

/// terminal_json for JSON text already serialized (e.g. pretty-printed by model::pretty_print): the same escapes,
/// and invalid UTF-8 as \ufffd. Raw newlines and spaces between tokens are kept; any other raw C0 control (which
/// a serializer never writes) becomes \u00XX.
std::string terminal_json_text(std::string_view json_text);

}  // namespace mcpreg::cli
