// The registry's write rules over the storage primitives. Upstream's equivalents: internal/service/
// registry_service.go (publish, edit, status) and internal/database's latest-version bookkeeping.
#include "registry_service.hpp"

#include <mcpreg/model/semver.hpp>

#include <algorithm>

namespace mcpreg::engine::detail {
namespace {

write_refusal refusal(refusal_reason reason, std::string message) { return {reason, std::move(message)}; }

write_refusal url_taken(const url_owner& owner)
{
    return refusal(refusal_reason::remote_url_taken,
                   "remote URL " + owner.url + " is already used by server " + owner.name);
}

// Runs `rules` (write_transaction& -> result<write_outcome<T>>) in one write over `name`: committed when they
// store something, rolled back when they refuse.
template <class T, class Rules>
result<write_outcome<T>> run_write(storage& store, const std::string& name, Rules rules)
{
    std::optional<write_outcome<T>> outcome;
    auto done = store.write(name, [&](write_transaction& tx) -> result<write_end> {
        auto decided = rules(tx);
        if (!decided) return decided.error();
        outcome = std::move(*decided);
        return std::holds_alternative<T>(*outcome) ? write_end::commit : write_end::roll_back;
    });
    if (!done) return done.error();
    return std::move(*outcome);
}

// The outcome of a write that stored `version`: that version as it is now.
result<write_outcome<stored_version>> written(write_transaction& tx, const std::string& version)
{
    auto row = tx.find(version);
    if (!row) return row.error();
    if (!*row) return make_error(errc::storage_error, "a version written in this transaction is missing");
    return std::move(**row);
}

// Whether restoring the deleted ones of `rows` would take a remote URL another server's live version now holds.
result<std::optional<url_owner>> restore_conflict(write_transaction& tx, const std::vector<stored_version>& rows)
{
    std::vector<std::string> urls;
    for (const auto& row : rows) {
        if (row.status != model::to_string(model::server_status::deleted)) continue;
        auto stored = tx.remote_urls(row.version);
        if (!stored) return stored.error();
        urls.insert(urls.end(), stored->begin(), stored->end());
    }
    if (urls.empty()) return std::optional<url_owner>{};
    return tx.owner_of_urls(std::move(urls));
}

}  // namespace

result<write_outcome<stored_version>> registry_service::publish(const model::server& server,
                                                                const std::string& document)
{
    return run_write<stored_version>(
        store_, server.name, [&](write_transaction& tx) -> result<write_outcome<stored_version>> {
            auto owner = tx.owner_of_urls(remote_urls_of(server));
            if (!owner) return owner.error();
            if (*owner) return url_taken(**owner);
            auto count = tx.count();
            if (!count) return count.error();
            if (*count >= max_versions_)
                return refusal(refusal_reason::version_limit, "maximum number of versions for this server reached (" +
                                                                  std::to_string(max_versions_) +
                                                                  "): please delete old versions");
            auto existing = tx.find(server.version);
            if (!existing) return existing.error();
            if (*existing)
                return refusal(refusal_reason::duplicate_version, "invalid version: cannot publish duplicate version");
            const auto now = model::timestamp::now();
            auto latest = tx.current_latest();
            if (!latest) return latest.error();
            const bool becomes_latest = !*latest || model::compare_versions(server.version, (*latest)->version, now,
                                                                            (*latest)->published_at) > 0;
            if (becomes_latest)
                if (auto done = tx.set_latest(std::nullopt); !done) return done.error();
            if (auto done = tx.insert(server, document, now, becomes_latest); !done) return done.error();
            return written(tx, server.version);
        });
}

result<write_outcome<stored_version>> registry_service::edit(const model::server& server, const std::string& document)
{
    return run_write<stored_version>(
        store_, server.name, [&](write_transaction& tx) -> result<write_outcome<stored_version>> {
            auto row = tx.find(server.version);
            if (!row) return row.error();
            if (!*row || (*row)->status == model::to_string(model::server_status::deleted))
                return refusal(refusal_reason::not_found, "Server not found");
            auto owner = tx.owner_of_urls(remote_urls_of(server));
            if (!owner) return owner.error();
            if (*owner) return url_taken(**owner);
            if (auto done = tx.update_document(server, document, model::timestamp::now()); !done) return done.error();
            return written(tx, server.version);
        });
}

result<write_outcome<stored_version>> registry_service::set_status(const std::string& name, const std::string& version,
                                                                   model::server_status status,
                                                                   const std::optional<std::string>& message)
{
    return run_write<stored_version>(store_, name, [&](write_transaction& tx) -> result<write_outcome<stored_version>> {
        auto row = tx.find(version);
        if (!row) return row.error();
        if (!*row) return refusal(refusal_reason::not_found, "Server version not found");
        if ((*row)->status == model::to_string(status) && (*row)->status_message == message)
            return refusal(refusal_reason::nothing_to_change, std::string(nothing_to_change_one));
        if (status != model::server_status::deleted) {
            auto owner = restore_conflict(tx, {**row});
            if (!owner) return owner.error();
            if (*owner) return url_taken(**owner);
        }
        if (auto done = tx.update_status(version, status, message, model::timestamp::now()); !done) return done.error();
        if (auto done = assign_latest(tx); !done) return done.error();
        return written(tx, version);
    });
}

result<write_outcome<std::vector<stored_version>>>
registry_service::set_status_all(const std::string& name, model::server_status status,
                                 const std::optional<std::string>& message)
{
    using rows = std::vector<stored_version>;
    return run_write<rows>(store_, name, [&](write_transaction& tx) -> result<write_outcome<rows>> {
        auto all = tx.versions();
        if (!all) return all.error();
        if (all->empty()) return refusal(refusal_reason::not_found, "Server not found");
        const bool any_change = std::any_of(all->begin(), all->end(), [&](const stored_version& row) {
            return row.status != model::to_string(status) || row.status_message != message;
        });
        if (!any_change) return refusal(refusal_reason::nothing_to_change, std::string(nothing_to_change_all));
        if (status != model::server_status::deleted) {
            auto owner = restore_conflict(tx, *all);
            if (!owner) return owner.error();
            if (*owner) return url_taken(**owner);
        }
        if (auto done = tx.update_status(std::nullopt, status, message, model::timestamp::now()); !done)
            return done.error();
        if (auto done = assign_latest(tx); !done) return done.error();
        auto after = tx.versions();
        if (!after) return after.error();
        return std::move(*after);
    });
}

result<write_outcome<stored_version>> registry_service::remove(const std::string& name, const std::string& version)
{
    auto outcome = set_status(name, version, model::server_status::deleted, std::string(tombstone_message));
    if (outcome && std::holds_alternative<write_refusal>(*outcome))
        return refusal(refusal_reason::not_found, "Server not found");  // missing, or removed already
    return outcome;
}

}  // namespace mcpreg::engine::detail
