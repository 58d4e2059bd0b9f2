#include <mcpreg/engine/auth.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/secret_file.hpp>

#include "../common/base64.hpp"
#include "jws.hpp"

#include <boost/json/serialize.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cctype>
#include <cstdio>
#include <filesystem>

namespace mcpreg::engine {
namespace json = boost::json;

bool permits(const std::vector<permission>& permissions, std::string_view action, std::string_view resource)
{
    for (const auto& p : permissions) {
        if (p.action != action) continue;
        if (p.resource == "*") return true;
        if (p.resource.ends_with('*')) {
            if (resource.starts_with(std::string_view(p.resource).substr(0, p.resource.size() - 1))) return true;
        }
        else if (p.resource == resource) {
            return true;
        }
    }
    return false;
}

namespace detail {

bool grant_touches_namespace(const permission& grant, std::string_view blocked_namespace)
{
    auto lower = [](std::string_view text) {
        std::string out(text);
        for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    };
    const auto blocked = lower(blocked_namespace);
    const permission folded{grant.action, lower(grant.resource)};
    // A pattern wide enough to cover it (`com.*`, `com.evil*`)...
    if (permits({folded}, folded.action, blocked + "/x") || permits({folded}, folded.action, blocked + ".x/y"))
        return true;
    // ...or one inside it: `com.evil/*`, `com.evil.sub/*`, an exact `com.evil/tool`.
    std::string_view literal = folded.resource;
    if (literal.ends_with('*')) literal.remove_suffix(1);
    return literal == blocked || (literal.starts_with(blocked) && literal.size() > blocked.size() &&
                                  (literal[blocked.size()] == '.' || literal[blocked.size()] == '/'));
}

}  // namespace detail

namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string base64url_encode(std::string_view data)
{
    return mcpreg::detail::base64_encode(data, mcpreg::detail::base64_alphabet::url);
}

}  // namespace

namespace detail {

error token_error(std::string message)
{
    return error{make_http_error(401), diagnostics{std::move(message), {}, 401, {}, {}, 0, {}, {}}};
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::optional<std::int64_t> numeric_claim(const json::object& claims, std::string_view name)
{
    const auto* v = claims.if_contains(name);
    if (!v || !v->is_number()) return std::nullopt;
    // Only times the clock can hold: seconds become system_clock's nanoseconds, which end in 2262.
    constexpr std::int64_t bound = 8'000'000'000;  // the year 2223
    if (v->is_int64()) {
        const auto seconds = v->get_int64();
        if (seconds <= -bound || seconds >= bound) return std::nullopt;
        return seconds;
    }
    if (v->is_uint64()) return std::nullopt;  // past 2^63 seconds
    const double seconds = v->get_double();   // 1e300, NaN and infinities fail this
    if (!(seconds > -static_cast<double>(bound) && seconds < static_cast<double>(bound))) return std::nullopt;
    return static_cast<std::int64_t>(seconds);
}

std::string string_claim(const json::object& claims, std::string_view name)
{
    const auto* v = claims.if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

result<jws> parse_jws(std::string_view token)
{
    constexpr std::size_t max_token_bytes = 16 * 1024;
    if (token.size() > max_token_bytes) return token_error("token too large");
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
        return token_error("malformed token");
    using mcpreg::detail::base64_alphabet;
    auto header = mcpreg::detail::base64_decode(token.substr(0, first), base64_alphabet::url);
    auto payload = mcpreg::detail::base64_decode(token.substr(first + 1, second - first - 1), base64_alphabet::url);
    auto signature = mcpreg::detail::base64_decode(token.substr(second + 1), base64_alphabet::url);
    if (!header || !payload || !signature) return token_error("malformed token");
    auto header_json = model::parse_json(*header);
    if (!header_json || !header_json->is_object()) return token_error("malformed token header");
    auto claims_json = model::parse_json(*payload);
    if (!claims_json || !claims_json->is_object()) return token_error("malformed token claims");
    return jws{std::move(header_json->get_object()), std::move(claims_json->get_object()), std::move(*signature),
               token.substr(0, second)};
}

}  // namespace detail

struct jwt_signer::impl {
    key_ptr key{nullptr, &EVP_PKEY_free};
    std::string audience;
};

jwt_signer::jwt_signer(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
jwt_signer::jwt_signer(jwt_signer&&) noexcept = default;
jwt_signer& jwt_signer::operator=(jwt_signer&&) noexcept = default;
jwt_signer::~jwt_signer() = default;

result<jwt_signer> jwt_signer::generate()
{
    auto p = std::make_unique<impl>();
    p->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!p->key) return make_error(errc::storage_error, "cannot generate an Ed25519 key");
    return jwt_signer(std::move(p));
}

result<jwt_signer> jwt_signer::from_pem(std::string_view pem)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    auto p = std::make_unique<impl>();
    p->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!p->key || EVP_PKEY_get_id(p->key.get()) != EVP_PKEY_ED25519)
        return make_error(errc::invalid_argument, "not an Ed25519 private key in PEM");
    return jwt_signer(std::move(p));
}

result<jwt_signer> jwt_signer::load_or_create(const std::string& path)
{
    // Created exclusively (never through a planted file or link); whoever created it first wins, and every
    // process then signs with what is on disk.
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
        auto signer = generate();
        if (!signer) return signer.error();
        auto written = write_secret_file(path, signer->private_key_pem(), secret_write::create_only);
        if (!written)
            return make_error(errc::io_error, "cannot write the JWT key file: " + written.error().diag.message);
    }
    auto text = read_secret_file(path);
    if (!text) return make_error(errc::io_error, "the JWT key file: " + text.error().diag.message);
    auto signer = from_pem(*text);
    if (!signer) return make_error(errc::invalid_argument, path + ": " + signer.error().diag.message);
    return signer;
}

std::string jwt_signer::private_key_pem() const
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

void jwt_signer::set_audience(std::string audience) { impl_->audience = std::move(audience); }

std::string jwt_signer::sign(const token_claims& claims) const
{
    json::array permissions;
    for (const auto& p : claims.permissions) permissions.push_back({{"action", p.action}, {"resource", p.resource}});
    json::object body{{"iss", "mcp-registry"},
                      {"iat", detail::unix_seconds(claims.issued_at)},
                      {"nbf", detail::unix_seconds(claims.issued_at)},
                      {"exp", detail::unix_seconds(claims.expires_at)},
                      {"auth_method", claims.auth_method},
                      {"auth_method_sub", claims.subject},
                      {"permissions", std::move(permissions)}};
    if (!impl_->audience.empty()) body["aud"] = impl_->audience;
    const std::string signing_input =
        base64url_encode(R"({"alg":"EdDSA","typ":"JWT"})") + "." + base64url_encode(json::serialize(body));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    unsigned char signature[64];
    std::size_t length = sizeof signature;
    EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get());
    EVP_DigestSign(ctx.get(), signature, &length, reinterpret_cast<const unsigned char*>(signing_input.data()),
                   signing_input.size());
    return signing_input + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(signature), length));
}

result<token_claims> jwt_signer::verify(std::string_view token, std::chrono::system_clock::time_point now) const
{
    using namespace detail;
    auto parsed = parse_jws(token);
    if (!parsed) return parsed.error();
    if (string_claim(parsed->header, "alg") != "EdDSA") return token_error("unsupported token algorithm");
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    const auto& signature = parsed->signature;
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                         reinterpret_cast<const unsigned char*>(parsed->signing_input.data()),
                         parsed->signing_input.size()) != 1)
        return token_error("invalid token signature");
    const auto& claims = parsed->claims;
    const auto exp = numeric_claim(claims, "exp");
    if (!exp) return token_error("token has no expiry");
    if (string_claim(claims, "iss") != "mcp-registry") return token_error("token from another issuer");
    if (!impl_->audience.empty() && string_claim(claims, "aud") != impl_->audience)
        return token_error("token for another registry");
    const auto now_seconds = unix_seconds(now);
    if (now_seconds >= *exp) return token_error("token is expired");
    if (auto nbf = numeric_claim(claims, "nbf"); nbf && now_seconds < *nbf)
        return token_error("token is not valid yet");
    token_claims out;
    out.auth_method = string_claim(claims, "auth_method");
    out.subject = string_claim(claims, "auth_method_sub");
    out.audience = string_claim(claims, "aud");
    out.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(*exp));
    out.issued_at =
        std::chrono::system_clock::time_point(std::chrono::seconds(numeric_claim(claims, "iat").value_or(0)));
    if (const auto* list = claims.if_contains("permissions"); list && list->is_array())
        for (const auto& p : list->get_array())
            if (p.is_object()) {
                const auto* action = p.get_object().if_contains("action");
                const auto* resource = p.get_object().if_contains("resource");
                if (action && action->is_string() && resource && resource->is_string())
                    out.permissions.push_back({std::string(action->get_string()), std::string(resource->get_string())});
            }
    return out;
}

}  // namespace mcpreg::engine
