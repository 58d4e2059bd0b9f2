// An engine storage in memory for the write rules' unit tests: the write primitives over a std::map, no SQL.
// Each write works on a copy of the rows that replaces them only when the work commits, as a transaction
// does. It keeps what the primitives' contract promises (tests/engine/storage_contract_tests.cpp runs the same
// contract against it and against the real storages); the read API, search and import are not there.
#pragma once

#include "../../src/engine/storage.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <utility>

namespace mcpreg::test {

class memory_storage final : public engine::detail::storage {
public:
    struct row {
        engine::detail::stored_version stored;
        std::int64_t published_ns = 0;
        std::vector<std::string> urls;
    };
    using rows = std::map<std::pair<std::string, std::string>, row>;  // (name, version) -> row

    /// How many writes committed and rolled back (a refusal must roll back).
    std::size_t commits = 0;
    std::size_t roll_backs = 0;

    rows snapshot()
    {
        std::lock_guard lock(mutex_);
        return rows_;
    }

    result<void> write(const std::string& name, const engine::detail::write_work& work) override
    {
        std::lock_guard lock(mutex_);
        transaction tx(name, rows_);
        auto end = work(tx);
        if (!end) return end.error();
        if (*end == engine::detail::write_end::roll_back) {
            ++roll_backs;
            return {};
        }
        rows_ = std::move(tx.rows_);
        ++commits;
        return {};
    }

    // Not part of the write rules: a test that calls them is wrong.
    result<void> list(const model::list_filter&, const engine::detail::row_sink&) override { return unsupported(); }
    result<void> versions(const std::string&, bool, const engine::detail::row_sink&) override { return unsupported(); }
    result<bool> get(const std::string&, const std::string&, bool, const engine::detail::row_sink&) override
    {
        return unsupported();
    }
    result<void> search(const std::vector<std::string>&, std::chrono::milliseconds, bool, bool, int,
                        const engine::detail::row_sink&) override
    {
        return unsupported();
    }
    result<engine::import_report> import(std::vector<engine::detail::import_entry>) override { return unsupported(); }
    result<std::size_t> count() override
    {
        std::lock_guard lock(mutex_);
        return rows_.size();
    }
    result<std::string> deployment_id() override { return std::string("memory"); }
    result<void> audit(const engine::audit_entry&) override { return {}; }
    result<std::vector<engine::audit_entry>> audit_log(std::size_t) override
    {
        return std::vector<engine::audit_entry>{};
    }

private:
    static error unsupported()
    {
        return make_error(errc::invalid_argument, "the memory storage keeps write primitives only");
    }

    class transaction final : public engine::detail::write_transaction {
    public:
        transaction(std::string name, rows copy) : name_(std::move(name)), rows_(std::move(copy)) {}

        const std::string& name() const override { return name_; }

        result<std::optional<engine::detail::stored_version>> find(const std::string& version) override
        {
            auto it = rows_.find({name_, version});
            if (it == rows_.end()) return std::optional<engine::detail::stored_version>{};
            return std::optional(it->second.stored);
        }

        result<std::vector<engine::detail::stored_version>> versions() override
        {
            std::vector<const row*> mine = own_rows();
            std::sort(mine.begin(), mine.end(), [](const row* a, const row* b) {
                return std::tie(a->published_ns, a->stored.version) > std::tie(b->published_ns, b->stored.version);
            });
            std::vector<engine::detail::stored_version> out;
            for (const auto* r : mine) out.push_back(r->stored);
            return out;
        }

        result<std::size_t> count() override { return own_rows().size(); }

        result<std::optional<engine::detail::latest_holder>> current_latest() override
        {
            for (const auto* r : own_rows())
                if (r->stored.is_latest)
                    return std::optional(engine::detail::latest_holder{
                        r->stored.version, engine::detail::timestamp_of_nanoseconds(r->published_ns)});
            return std::optional<engine::detail::latest_holder>{};
        }

        result<std::vector<model::latest_candidate>> latest_candidates() override
        {
            std::vector<model::latest_candidate> out;
            for (const auto* r : own_rows())
                out.push_back({r->stored.version, engine::detail::timestamp_of_nanoseconds(r->published_ns),
                               r->stored.status == "deleted"});
            return out;
        }

        result<std::vector<std::string>> remote_urls(const std::string& version) override
        {
            auto it = rows_.find({name_, version});
            return it == rows_.end() ? std::vector<std::string>{} : it->second.urls;
        }

        result<std::optional<engine::detail::url_owner>> owner_of_urls(std::vector<std::string> urls) override
        {
            for (const auto& url : urls)
                for (const auto& [key, r] : rows_)
                    if (key.first != name_ && r.stored.status != "deleted" &&
                        std::find(r.urls.begin(), r.urls.end(), url) != r.urls.end())
                        return std::optional(engine::detail::url_owner{url, key.first});
            return std::optional<engine::detail::url_owner>{};
        }

        result<void> insert(const model::server& server, const std::string& document, const model::timestamp& at,
                            bool latest) override
        {
            if (rows_.contains({name_, server.version}))
                return make_error(errc::storage_error, "UNIQUE (name, version)");
            row r;
            r.stored.name = name_;
            r.stored.version = server.version;
            r.stored.document = document;
            r.stored.status = "active";
            r.stored.published_at = r.stored.updated_at = r.stored.status_changed_at = at.to_string();
            r.stored.is_latest = latest;
            r.published_ns = engine::detail::nanoseconds_of(at);
            r.urls = engine::detail::remote_urls_of(server);
            rows_[{name_, server.version}] = std::move(r);
            return {};
        }

        result<void> update_document(const model::server& server, const std::string& document,
                                     const model::timestamp& at) override
        {
            auto it = rows_.find({name_, server.version});
            if (it == rows_.end()) return make_error(errc::storage_error, "no such version");
            it->second.stored.document = document;
            it->second.stored.updated_at = at.to_string();
            it->second.urls = engine::detail::remote_urls_of(server);
            return {};
        }

        result<void> update_status(const std::optional<std::string>& version, model::server_status status,
                                   const std::optional<std::string>& message, const model::timestamp& at) override
        {
            const std::string text(model::to_string(status));
            for (auto& [key, r] : rows_) {
                if (key.first != name_ || (version && key.second != *version)) continue;
                if (r.stored.status == text && r.stored.status_message == message) continue;
                if (r.stored.status != text) r.stored.status_changed_at = at.to_string();
                r.stored.status = text;
                r.stored.status_message = message;
                r.stored.updated_at = at.to_string();
            }
            return {};
        }

        result<void> set_latest(const std::optional<std::string>& version) override
        {
            for (auto& [key, r] : rows_)
                if (key.first == name_) r.stored.is_latest = version && key.second == *version;
            return {};
        }

    private:
        friend class memory_storage;

        std::vector<const row*> own_rows() const
        {
            std::vector<const row*> mine;
            for (const auto& [key, r] : rows_)
                if (key.first == name_) mine.push_back(&r);
            return mine;
        }

        std::string name_;
        rows rows_;
    };

    std::mutex mutex_;
    rows rows_;
};

}  // namespace mcpreg::test
