#include "gzip.hpp"

#include <zlib.h>

#include <stdexcept>

namespace mcpreg::detail {

std::string gzip_compress(std::string_view body)
{
    z_stream stream{};
    // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out(deflateBound(&stream, static_cast<uLong>(body.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    stream.avail_in = static_cast<uInt>(body.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int code = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (code != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
}

result<std::string> gunzip(std::string_view body, std::size_t max_bytes)
{
    z_stream stream{};
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return make_error(errc::bad_response, "cannot start gzip decoding");
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    stream.avail_in = static_cast<uInt>(body.size());
    std::string out;
    char chunk[1 << 15];
    int code = Z_OK;
    while (code != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef*>(chunk);
        stream.avail_out = sizeof chunk;
        code = inflate(&stream, Z_NO_FLUSH);
        if (code != Z_OK && code != Z_STREAM_END) {
            inflateEnd(&stream);
            return make_error(errc::bad_response, "the gzip response body is corrupt");
        }
        out.append(chunk, sizeof chunk - stream.avail_out);
        if (out.size() > max_bytes) {
            inflateEnd(&stream);
            return make_error(errc::response_too_large,
                              "the response inflates beyond " + std::to_string(max_bytes) + " bytes");
        }
        if (code == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
            inflateEnd(&stream);
            return make_error(errc::bad_response, "the gzip response body is truncated");
        }
    }
    inflateEnd(&stream);
    return out;
}

}  // namespace mcpreg::detail
