// The C API over the C++ one. Every exported function is noexcept and turns failures into a status and an
// optional mcpreg_error; nothing else leaves this file.
#include <mcpreg/mcpreg.h>

#include <mcpreg/cache/catalog.hpp>
#include <mcpreg/cache/http_cache.hpp>
#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/engine/http_server.hpp>
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>
#include <mcpreg/resolve/resolve.hpp>
#include <mcpreg/version.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

using namespace mcpreg;

struct mcpreg_error {
    int code = MCPREG_EINTERNAL;
    int http_status = 0;
    std::string message;
    std::string server_message;
};

struct mcpreg_server {
    model::server_response entry;
};

struct mcpreg_validation {
    bool valid = true;
    struct issue {
        std::string path, rule, message, severity;
    };
    std::vector<issue> issues;
};

// Runs queued tasks on one thread of its own, started with the first task; the destructor runs what is
// still queued, then joins.
class task_thread {
public:
    ~task_thread()
    {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

    void post(std::function<void()> task)
    {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(task));
        if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
        wake_.notify_one();
    }

private:
    void run()
    {
        std::unique_lock lock(mutex_);
        while (true) {
            wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
            if (tasks_.empty()) return;  // stopping, and nothing left to run
            auto task = std::move(tasks_.front());
            tasks_.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> tasks_;
    bool stopping_ = false;
    std::thread thread_;
};

struct mcpreg_client {
    blocking_client client;
    task_thread callbacks;  // declared last: destroyed first, so pending tasks still see the client
};

struct mcpreg_catalog {
    cache::catalog catalog;
};

// A listing (pages fetched as it advances) or a finished list (`owner` null: catalog search results).
struct mcpreg_server_iter {
    mcpreg_client* owner = nullptr;
    list_options query;                      // query.cursor: what mcpreg_server_iter_cursor reports
    std::optional<page_walker> walker;       // a listing's walk, with its guards
    std::optional<std::string> versions_of;  // set: one page of every version of this name
    std::vector<mcpreg_server> page;
    std::size_t position = 0;
    bool fetched_once = false;
    bool exhausted = false;
};

struct mcpreg_resolution {
    resolve::resolution resolved;
    std::vector<std::pair<std::string, std::string>> env;  // in order, for index access
};

struct mcpreg_engine {
    engine::registry registry;
    std::mutex mutex;  // guards the listener
    std::unique_ptr<boost::asio::io_context> io;
    std::unique_ptr<engine::http_server> server;
    std::thread thread;

    void stop()
    {
        std::lock_guard lock(mutex);
        if (!server) return;
        server->stop();
        for (int i = 0; i < 500 && server->connections() > 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        io->stop();
        thread.join();
        server.reset();
        io.reset();
    }
};

namespace {

int status_of(const error_code& ec)
{
    if (ec == condition::not_found) return MCPREG_ENOTFOUND;
    if (ec.category() == http_category()) return MCPREG_EHTTP;
    if (ec == errc::timeout) return MCPREG_ETIMEOUT;
    if (ec == errc::json_syntax || ec == errc::invalid_document || ec == errc::unknown_document ||
        ec == errc::bad_response)
        return MCPREG_EPARSE;
    if (ec == errc::storage_error || ec == errc::not_cached || ec == errc::storage_unavailable) return MCPREG_ECACHE;
    if (ec == errc::invalid_argument || ec == errc::invalid_version || ec == errc::invalid_timestamp ||
        ec == errc::validation_failed)
        return MCPREG_EINVALID;
    if (ec.category().name() == std::string_view("asio.ssl") ||
        ec.category().name() == std::string_view("asio.ssl.stream"))
        return MCPREG_ETLS;
    return MCPREG_ENETWORK;
}

int fail(mcpreg_error** err, int code, std::string message, int http_status = 0, std::string server_message = {})
{
    if (err) {
        *err = nullptr;
        auto* e = new (std::nothrow) mcpreg_error;
        if (e) {
            e->code = code;
            e->message = std::move(message);
            e->http_status = http_status;
            e->server_message = std::move(server_message);
            *err = e;
        }
    }
    return code;
}

int fail(mcpreg_error** err, const error& e)
{
    return fail(err, status_of(e.code), e.what(), e.diag.http_status, e.diag.server_message);
}

// Runs `body`, turning exceptions into status codes: nothing crosses the C boundary.
template <class Body>
int guarded(mcpreg_error** err, Body&& body) noexcept
{
    if (err) *err = nullptr;
    try {
        return body();
    }
    catch (const std::bad_alloc&) {
        return fail(err, MCPREG_ENOMEM, "out of memory");
    }
    catch (const std::exception& e) {
        return fail(err, MCPREG_EINTERNAL, e.what());
    }
    catch (...) {
        return fail(err, MCPREG_EINTERNAL, "unknown failure");
    }
}

char* duplicate(std::string_view text)
{
    auto* out = static_cast<char*>(std::malloc(text.size() + 1));
    if (!out) throw std::bad_alloc();
    std::memcpy(out, text.data(), text.size());
    out[text.size()] = '\0';
    return out;
}

int invalid(mcpreg_error** err, std::string message) { return fail(err, MCPREG_EINVALID, std::move(message)); }

// Sizes and indexes from C are checked here, so a bad index is NULL rather than undefined behaviour.
template <class T>
const T* element(const std::vector<T>& list, std::size_t index)
{
    return index < list.size() ? &list[index] : nullptr;
}

result<list_options> to_list_options(const mcpreg_list_options* options)
{
    list_options query;
    query.limit = 100;
    if (!options) return query;
    if (options->version != MCPREG_LIST_OPTIONS_VERSION)
        return make_error(errc::invalid_argument,
                          "unknown mcpreg_list_options version " + std::to_string(options->version));
    if (options->search) query.search = options->search;
    if (options->updated_since) {
        auto t = model::timestamp::parse(options->updated_since);
        if (!t) return t.error();
        query.updated_since = *t;
    }
    if (options->latest_only) query.version = "latest";
    if (options->include_deleted) query.include_deleted = true;
    if (options->page_size < 0 || options->page_size > 100)
        return make_error(errc::invalid_argument, "page_size is 1 to 100");
    if (options->page_size > 0) query.limit = options->page_size;
    if (options->cursor) query.cursor = options->cursor;
    return query;
}

// The error a callback receives (it owns it), or NULL.
mcpreg_error* owned_error(const error& e)
{
    mcpreg_error* out = nullptr;
    fail(&out, e);
    return out;
}

// A string member of the index-th element, or NULL (no list, or past the end).
template <class T>
const char* text_at(const std::vector<T>* list, std::size_t index, std::string T::*member)
{
    const auto* item = list ? element(*list, index) : nullptr;
    return item ? (item->*member).c_str() : nullptr;
}

}  // namespace

extern "C" {

void mcpreg_version(int* major, int* minor, int* patch)
{
    if (major) *major = MCPREG_VERSION_MAJOR;
    if (minor) *minor = MCPREG_VERSION_MINOR;
    if (patch) *patch = MCPREG_VERSION_PATCH;
}

const char* mcpreg_version_string(void) { return MCPREG_VERSION_STRING; }

int mcpreg_error_code(const mcpreg_error* err) { return err ? err->code : MCPREG_OK; }
int mcpreg_error_http_status(const mcpreg_error* err) { return err ? err->http_status : 0; }
const char* mcpreg_error_message(const mcpreg_error* err) { return err ? err->message.c_str() : ""; }
const char* mcpreg_error_server_message(const mcpreg_error* err) { return err ? err->server_message.c_str() : ""; }
void mcpreg_error_free(mcpreg_error* err) { delete err; }
void mcpreg_string_free(char* text) { std::free(text); }

// ---- servers ----

int mcpreg_server_parse(mcpreg_server** out, const char* json, size_t length, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !json) return invalid(err, "out and json are required");
        *out = nullptr;
        auto document = model::parse_json(std::string_view(json, length));
        if (!document) return fail(err, document.error());
        auto server = std::make_unique<mcpreg_server>();
        if (document->is_object() && document->get_object().contains("server")) {
            auto entry = model::server_response_from_json(*document);
            if (!entry) return fail(err, entry.error());
            server->entry = std::move(*entry);
        }
        else {
            auto parsed = model::server_from_json(*document);
            if (!parsed) return fail(err, parsed.error());
            server->entry.server = std::move(*parsed);
        }
        *out = server.release();
        return MCPREG_OK;
    });
}

void mcpreg_server_free(mcpreg_server* server) { delete server; }

int mcpreg_server_clone(mcpreg_server** out, const mcpreg_server* server, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !server) return invalid(err, "out and server are required");
        *out = new mcpreg_server{server->entry};
        return MCPREG_OK;
    });
}
const char* mcpreg_server_name(const mcpreg_server* s) { return s ? s->entry.server.name.c_str() : nullptr; }
const char* mcpreg_server_version(const mcpreg_server* s) { return s ? s->entry.server.version.c_str() : nullptr; }
const char* mcpreg_server_description(const mcpreg_server* s)
{
    return s ? s->entry.server.description.c_str() : nullptr;
}
const char* mcpreg_server_title(const mcpreg_server* s)
{
    return s && s->entry.server.title ? s->entry.server.title->c_str() : nullptr;
}
const char* mcpreg_server_status(const mcpreg_server* s)
{
    const auto* official = s ? s->entry.official() : nullptr;
    return official && official->status ? official->status->c_str() : nullptr;
}
int mcpreg_server_is_latest(const mcpreg_server* s)
{
    const auto* official = s ? s->entry.official() : nullptr;
    return official && official->is_latest.value_or(false) ? 1 : 0;
}

int mcpreg_server_to_json(char** out, const mcpreg_server* server, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !server) return invalid(err, "out and server are required");
        *out = duplicate(model::serialize(server->entry.server));
        return MCPREG_OK;
    });
}

int mcpreg_validate(mcpreg_validation** out, const char* json, size_t length, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !json) return invalid(err, "out and json are required");
        *out = nullptr;
        auto v = std::make_unique<mcpreg_validation>();
        auto document = model::parse_json(std::string_view(json, length));
        if (!document) {
            v->valid = false;
            v->issues.push_back({"", "json-syntax", document.error().diag.message, "error"});
        }
        else {
            model::validate_options options;
            options.official_registry = true;
            for (const auto& issue : model::validate(*document, options)) {
                v->issues.push_back(
                    {issue.path, issue.rule, issue.message, std::string(model::to_string(issue.severity))});
                if (issue.severity == model::severity::error) v->valid = false;
            }
        }
        *out = v.release();
        return MCPREG_OK;
    });
}

void mcpreg_validation_free(mcpreg_validation* v) { delete v; }
int mcpreg_validation_valid(const mcpreg_validation* v) { return v && v->valid ? 1 : 0; }
size_t mcpreg_validation_issue_count(const mcpreg_validation* v) { return v ? v->issues.size() : 0; }
const char* mcpreg_validation_issue_path(const mcpreg_validation* v, size_t i)
{
    return text_at(v ? &v->issues : nullptr, i, &mcpreg_validation::issue::path);
}
const char* mcpreg_validation_issue_rule(const mcpreg_validation* v, size_t i)
{
    return text_at(v ? &v->issues : nullptr, i, &mcpreg_validation::issue::rule);
}
const char* mcpreg_validation_issue_message(const mcpreg_validation* v, size_t i)
{
    return text_at(v ? &v->issues : nullptr, i, &mcpreg_validation::issue::message);
}
const char* mcpreg_validation_issue_severity(const mcpreg_validation* v, size_t i)
{
    return text_at(v ? &v->issues : nullptr, i, &mcpreg_validation::issue::severity);
}

// ---- client ----

int mcpreg_client_new(mcpreg_client** out, const mcpreg_client_options* options, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out) return invalid(err, "out is required");
        *out = nullptr;
        if (options && options->version != MCPREG_CLIENT_OPTIONS_VERSION)
            return invalid(err, "unknown mcpreg_client_options version " + std::to_string(options->version));
        client_options o;
        if (options) {
            if (options->base_url) o.base_url = options->base_url;
            if (options->bearer_token) o.bearer_token = options->bearer_token;
            if (options->timeout_ms > 0) o.request_timeout = std::chrono::milliseconds(options->timeout_ms);
            if (options->cache_path) {
                auto cache = cache::http_cache::open({options->cache_path});
                if (!cache) return fail(err, cache.error());
                o.cache = std::move(*cache);
            }
            o.offline = options->offline != 0;
            if (o.offline && !o.cache) return invalid(err, "offline needs a cache_path");
        }
        auto made = blocking_client::create(o);
        if (!made) return fail(err, made.error());
        *out = new mcpreg_client{std::move(*made), {}};
        return MCPREG_OK;
    });
}

void mcpreg_client_free(mcpreg_client* client) { delete client; }

int mcpreg_client_get_server(mcpreg_server** out, mcpreg_client* client, const char* name, const char* version,
                             mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !client || !name) return invalid(err, "out, client and name are required");
        *out = nullptr;
        auto got = client->client.get_server({.name = name, .version = version ? version : "latest"});
        if (!got) return fail(err, got.error());
        *out = new mcpreg_server{std::move(*got)};
        return MCPREG_OK;
    });
}

int mcpreg_client_list_servers(mcpreg_server_iter** out, mcpreg_client* client, const mcpreg_list_options* options,
                               mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !client) return invalid(err, "out and client are required");
        *out = nullptr;
        auto query = to_list_options(options);
        if (!query) return fail(err, query.error());
        auto iter = std::make_unique<mcpreg_server_iter>();
        iter->owner = client;
        iter->query = *query;
        iter->walker.emplace(std::move(*query));
        *out = iter.release();
        return MCPREG_OK;
    });
}

int mcpreg_client_list_versions(mcpreg_server_iter** out, mcpreg_client* client, const char* name, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !client || !name) return invalid(err, "out, client and name are required");
        *out = nullptr;
        auto iter = std::make_unique<mcpreg_server_iter>();
        iter->owner = client;
        iter->versions_of = name;
        *out = iter.release();
        return MCPREG_OK;
    });
}

int mcpreg_server_iter_next(const mcpreg_server** out, mcpreg_server_iter* iter, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !iter) return invalid(err, "out and iter are required");
        *out = nullptr;
        while (iter->position >= iter->page.size()) {
            if (iter->exhausted || !iter->owner) return static_cast<int>(MCPREG_ITEROVER);
            auto& walker = iter->walker;
            result<model::server_list> page = iter->versions_of
                                                  ? iter->owner->client.list_versions({.name = *iter->versions_of})
                                                  : iter->owner->client.list_servers(walker->query());
            if (!page && walker && walker->retry_smaller(page.error().code)) continue;  // a page over the size cap
            if (!page) return fail(err, page.error());  // the iterator stays where it was: call again to retry
            if (walker)
                if (auto accepted = walker->accept(*page); !accepted) return fail(err, accepted.error());
            iter->page.clear();
            for (auto& entry : page->servers) iter->page.push_back(mcpreg_server{std::move(entry)});
            iter->position = 0;
            if (walker) iter->query.cursor = walker->query().cursor;
            iter->exhausted = !walker || walker->done();
        }
        *out = &iter->page[iter->position++];
        return MCPREG_OK;
    });
}

int mcpreg_client_get_server_async(mcpreg_client* client, const char* name, const char* version,
                                   mcpreg_server_callback callback, void* user_data, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!client || !name || !callback) return invalid(err, "client, name and callback are required");
        client->callbacks.post([client, name = std::string(name), version = std::string(version ? version : "latest"),
                                callback, user_data]() noexcept {
            try {
                auto got = client->client.get_server({.name = name, .version = version});
                if (!got) callback(status_of(got.error().code), nullptr, owned_error(got.error()), user_data);
                else callback(MCPREG_OK, new mcpreg_server{std::move(*got)}, nullptr, user_data);
            }
            catch (...) {
                callback(MCPREG_ENOMEM, nullptr, nullptr, user_data);
            }
        });
        return MCPREG_OK;
    });
}

int mcpreg_client_list_page_async(mcpreg_client* client, const mcpreg_list_options* options,
                                  mcpreg_page_callback callback, void* user_data, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!client || !callback) return invalid(err, "client and callback are required");
        auto query = to_list_options(options);
        if (!query) return fail(err, query.error());
        client->callbacks.post([client, query = std::move(*query), callback, user_data]() noexcept {
            try {
                auto page = client->client.list_servers(query);
                if (!page) {
                    callback(status_of(page.error().code), nullptr, owned_error(page.error()), user_data);
                    return;
                }
                auto iter = std::make_unique<mcpreg_server_iter>();
                for (auto& entry : page->servers) iter->page.push_back(mcpreg_server{std::move(entry)});
                iter->query.cursor = page->next_cursor;  // reported by mcpreg_server_iter_cursor
                callback(MCPREG_OK, iter.release(), nullptr, user_data);
            }
            catch (...) {
                callback(MCPREG_ENOMEM, nullptr, nullptr, user_data);
            }
        });
        return MCPREG_OK;
    });
}

int mcpreg_client_login(char** token, mcpreg_client* client, const char* method, const char* json_body,
                        mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!token || !client || !method) return invalid(err, "token, client and method are required");
        *token = nullptr;
        auto got = client->client.exchange_token({.method = method, .json_body = json_body ? json_body : "{}"});
        if (!got) return fail(err, got.error());
        *token = duplicate(got->token);
        return MCPREG_OK;
    });
}

int mcpreg_client_publish(mcpreg_server** out, mcpreg_client* client, const mcpreg_server* server, const char* token,
                          mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!client || !server || !token) return invalid(err, "client, server and token are required");
        if (out) *out = nullptr;
        auto published = client->client.publish({.server = server->entry.server, .token = token});
        if (!published) return fail(err, published.error());
        if (out) *out = new mcpreg_server{std::move(*published)};
        return MCPREG_OK;
    });
}

int mcpreg_client_set_status(mcpreg_client* client, const char* name, const char* version, const char* status,
                             const char* message, const char* token, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!client || !name || !status || !token) return invalid(err, "client, name, status and token are required");
        auto parsed = model::parse_server_status(status);
        if (!parsed) return invalid(err, std::string("not a status: ") + status);
        const std::optional<std::string> text = message ? std::optional<std::string>(message) : std::nullopt;
        if (version) {
            auto done = client->client.set_status(
                {.name = name, .version = version, .status = *parsed, .message = text, .token = token});
            if (!done) return fail(err, done.error());
        }
        else {
            auto done =
                client->client.set_status_all({.name = name, .status = *parsed, .message = text, .token = token});
            if (!done) return fail(err, done.error());
        }
        return MCPREG_OK;
    });
}

int mcpreg_catalog_open(mcpreg_catalog** out, const char* path, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out) return invalid(err, "out is required");
        *out = nullptr;
        auto opened = cache::catalog::open({path ? path : ":memory:"});
        if (!opened) return fail(err, opened.error());
        *out = new mcpreg_catalog{std::move(*opened)};
        return MCPREG_OK;
    });
}

void mcpreg_catalog_free(mcpreg_catalog* catalog) { delete catalog; }

int mcpreg_catalog_sync(mcpreg_catalog* catalog, mcpreg_client* client, size_t* fetched, size_t* added, size_t* updated,
                        size_t* deleted, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!catalog || !client) return invalid(err, "catalog and client are required");
        auto report = catalog->catalog.sync(client->client);
        if (!report) return fail(err, report.error());
        if (fetched) *fetched = report->fetched;
        if (added) *added = report->added;
        if (updated) *updated = report->updated;
        if (deleted) *deleted = report->deleted;
        return MCPREG_OK;
    });
}

int mcpreg_catalog_size(size_t* out, mcpreg_catalog* catalog, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !catalog) return invalid(err, "out and catalog are required");
        auto size = catalog->catalog.size();
        if (!size) return fail(err, size.error());
        *out = *size;
        return MCPREG_OK;
    });
}

int mcpreg_catalog_search(mcpreg_server_iter** out, mcpreg_catalog* catalog, const char* query, int limit,
                          mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !catalog || !query) return invalid(err, "out, catalog and query are required");
        *out = nullptr;
        auto found = catalog->catalog.search(query, limit > 0 ? limit : 20);
        if (!found) return fail(err, found.error());
        auto iter = std::make_unique<mcpreg_server_iter>();
        for (auto& e : *found) iter->page.push_back(mcpreg_server{std::move(e.entry)});
        iter->exhausted = true;
        *out = iter.release();
        return MCPREG_OK;
    });
}

const char* mcpreg_server_iter_cursor(const mcpreg_server_iter* iter)
{
    // A listing reports where it would fetch next; a single page (no owner) the cursor of the page after it.
    if (!iter || !iter->query.cursor || iter->query.cursor->empty()) return nullptr;
    return iter->owner && iter->exhausted ? nullptr : iter->query.cursor->c_str();
}

void mcpreg_server_iter_free(mcpreg_server_iter* iter) { delete iter; }

// ---- resolve ----

int mcpreg_resolve(mcpreg_resolution** out, const mcpreg_server* server, const char* selection,
                   const char* const* inputs, size_t input_count, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !server) return invalid(err, "out and server are required");
        *out = nullptr;
        resolve::selection which;
        if (selection) {
            auto parsed = resolve::selection::parse(selection);
            if (!parsed) return fail(err, parsed.error());
            which = *parsed;
        }
        resolve::input_values values;
        for (size_t i = 0; i < input_count; ++i) {
            if (!inputs || !inputs[i]) return invalid(err, "an input is NULL");
            const std::string_view pair = inputs[i];
            const auto eq = pair.find('=', pair.starts_with("-") ? pair.find_first_not_of('-') : 0);
            if (eq == std::string_view::npos || eq == 0)
                return invalid(err, "inputs are KEY=VALUE: " + std::string(pair));
            values[std::string(pair.substr(0, eq))].emplace_back(pair.substr(eq + 1));
        }
        auto resolved = resolve::resolve(server->entry.server, which, values);
        if (!resolved) return fail(err, resolved.error());
        auto r = std::make_unique<mcpreg_resolution>();
        r->resolved = std::move(*resolved);
        for (const auto& [name, value] : r->resolved.spec.env) r->env.emplace_back(name, value);
        const bool complete = r->resolved.complete();
        const auto names = r->resolved.missing.size();
        *out = r.release();
        if (!complete) return fail(err, MCPREG_EINPUTS, std::to_string(names) + " input(s) missing");
        return MCPREG_OK;
    });
}

void mcpreg_resolution_free(mcpreg_resolution* r) { delete r; }
const char* mcpreg_resolution_transport(const mcpreg_resolution* r)
{
    return r ? r->resolved.spec.transport.c_str() : nullptr;
}
const char* mcpreg_resolution_command(const mcpreg_resolution* r)
{
    return r && !r->resolved.spec.command.empty() ? r->resolved.spec.command.c_str() : nullptr;
}
size_t mcpreg_resolution_arg_count(const mcpreg_resolution* r) { return r ? r->resolved.spec.args.size() : 0; }
const char* mcpreg_resolution_arg(const mcpreg_resolution* r, size_t i)
{
    const auto* arg = r ? element(r->resolved.spec.args, i) : nullptr;
    return arg ? arg->c_str() : nullptr;
}
size_t mcpreg_resolution_env_count(const mcpreg_resolution* r) { return r ? r->env.size() : 0; }
const char* mcpreg_resolution_env_name(const mcpreg_resolution* r, size_t i)
{
    return text_at(r ? &r->env : nullptr, i, &std::pair<std::string, std::string>::first);
}
const char* mcpreg_resolution_env_value(const mcpreg_resolution* r, size_t i)
{
    return text_at(r ? &r->env : nullptr, i, &std::pair<std::string, std::string>::second);
}
int mcpreg_resolution_env_is_secret(const mcpreg_resolution* r, size_t i)
{
    const auto* e = r ? element(r->env, i) : nullptr;
    return e && r->resolved.spec.secret_env.contains(e->first) ? 1 : 0;
}
const char* mcpreg_resolution_url(const mcpreg_resolution* r)
{
    return r && r->resolved.spec.url ? r->resolved.spec.url->c_str() : nullptr;
}
size_t mcpreg_resolution_missing_count(const mcpreg_resolution* r) { return r ? r->resolved.missing.size() : 0; }
const char* mcpreg_resolution_missing_name(const mcpreg_resolution* r, size_t i)
{
    return text_at(r ? &r->resolved.missing : nullptr, i, &resolve::missing_input::name);
}
const char* mcpreg_resolution_missing_used_in(const mcpreg_resolution* r, size_t i)
{
    return text_at(r ? &r->resolved.missing : nullptr, i, &resolve::missing_input::used_in);
}
const char* mcpreg_resolution_missing_problem(const mcpreg_resolution* r, size_t i)
{
    return text_at(r ? &r->resolved.missing : nullptr, i, &resolve::missing_input::problem);
}
int mcpreg_resolution_missing_is_secret(const mcpreg_resolution* r, size_t i)
{
    const auto* m = r ? element(r->resolved.missing, i) : nullptr;
    return m && m->is_secret ? 1 : 0;
}

int mcpreg_resolution_config(char** out, const mcpreg_resolution* r, const char* server_name,
                             mcpreg_config_format format, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !r || !server_name) return invalid(err, "out, resolution and server_name are required");
        *out = nullptr;
        if (!r->resolved.complete()) return fail(err, MCPREG_EINPUTS, "the resolution still misses inputs");
        resolve::config_format f;
        switch (format) {
        case MCPREG_CONFIG_VSCODE: f = resolve::config_format::vscode; break;
        case MCPREG_CONFIG_CLAUDE_DESKTOP: f = resolve::config_format::claude_desktop; break;
        case MCPREG_CONFIG_CURSOR: f = resolve::config_format::cursor; break;
        case MCPREG_CONFIG_GENERIC: f = resolve::config_format::generic; break;
        default: return invalid(err, "unknown configuration format");
        }
        auto rendered = resolve::render_config(r->resolved.spec, server_name, f);
        if (!rendered) return fail(err, rendered.error());
        *out = duplicate(rendered->text);
        return MCPREG_OK;
    });
}

// ---- engine ----

int mcpreg_engine_open(mcpreg_engine** out, const mcpreg_engine_options* options, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out) return invalid(err, "out is required");
        *out = nullptr;
        if (options && options->version != MCPREG_ENGINE_OPTIONS_VERSION)
            return invalid(err, "unknown mcpreg_engine_options version " + std::to_string(options->version));
        engine::registry_options o;
        if (options) {
            if (options->database) o.database = options->database;
            if (options->seed_file) o.seed_files.emplace_back(options->seed_file);
            o.anonymous_auth = options->anonymous_auth != 0;
        }
        auto reg = engine::registry::open(std::move(o));
        if (!reg) return fail(err, reg.error());
        *out = new mcpreg_engine{std::move(*reg), {}, {}, {}, {}};
        return MCPREG_OK;
    });
}

void mcpreg_engine_free(mcpreg_engine* engine)
{
    if (!engine) return;
    try {
        engine->stop();
    }
    catch (...) {  // nothing may escape a destructor across the C boundary
    }
    delete engine;
}

int mcpreg_engine_listen(mcpreg_engine* engine, const char* host, unsigned short port, unsigned short* bound_port,
                         mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!engine) return invalid(err, "engine is required");
        std::lock_guard lock(engine->mutex);
        if (engine->server) return invalid(err, "the engine is already listening");
        auto io = std::make_unique<boost::asio::io_context>();
        auto server = std::make_unique<engine::http_server>(io->get_executor(), engine->registry);
        auto bound = server->listen(host ? host : "127.0.0.1", port);
        if (!bound) return fail(err, bound.error());
        if (bound_port) *bound_port = *bound;
        engine->io = std::move(io);
        engine->server = std::move(server);
        engine->thread = std::thread([io = engine->io.get()] { io->run(); });
        return MCPREG_OK;
    });
}

void mcpreg_engine_stop(mcpreg_engine* engine)
{
    if (!engine) return;
    try {
        engine->stop();
    }
    catch (...) {
    }
}

int mcpreg_engine_handle(mcpreg_engine* engine, const char* method, const char* target, const char* body, int* status,
                         char** response_body, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!engine || !method || !target || !status || !response_body)
            return invalid(err, "engine, method, target, status and response_body are required");
        *response_body = nullptr;
        engine::request req;
        req.method = method;
        req.target = target;
        if (body) req.body = body;
        auto res = engine->registry.handle(req);
        *status = res.status;
        *response_body = duplicate(res.body);
        return MCPREG_OK;
    });
}

int mcpreg_engine_size(size_t* out, mcpreg_engine* engine, mcpreg_error** err)
{
    return guarded(err, [&]() -> int {
        if (!out || !engine) return invalid(err, "out and engine are required");
        auto size = engine->registry.size();
        if (!size) return fail(err, size.error());
        *out = *size;
        return MCPREG_OK;
    });
}

}  // extern "C"
