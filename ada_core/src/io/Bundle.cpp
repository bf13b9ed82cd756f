#include "ada/io/Bundle.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "ada/io/SpecError.h"

namespace ada {

namespace {
const char kMagic[8] = {'A', 'D', 'A', 'B', 'N', 'D', 'L', '\n'};

template <typename T>
T readScalar(std::istream& in, const std::string& path, const char* what) {
    T value;
    if (!in.read(reinterpret_cast<char*>(&value), sizeof(T)))
        throw SpecError(path + ": truncated bundle (could not read the " + std::string(what) + ")");
    return value;
}
}  // namespace

size_t BundleTensor::numel() const {
    size_t n = 1;
    for (int64_t s : shape)
        n *= static_cast<size_t>(s);
    return n;
}

Bundle Bundle::read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw SpecError(path + ": cannot open bundle file (missing or unreadable)");
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0)
        throw SpecError(path + ": not an openmm-ada bundle (bad magic bytes)");
    const uint32_t version = readScalar<uint32_t>(in, path, "format version");
    if (version != formatVersion)
        throw SpecError(path + ": bundle format version " + std::to_string(version) + " is not supported (this build reads version " +
                        std::to_string(formatVersion) + ")");
    const uint64_t headerLength = readScalar<uint64_t>(in, path, "header length");
    if (headerLength > (1ull << 30))
        throw SpecError(path + ": corrupt bundle (header length " + std::to_string(headerLength) + ")");
    std::string header(headerLength, '\0');
    if (!in.read(&header[0], headerLength))
        throw SpecError(path + ": truncated bundle (header)");
    nlohmann::json h;
    try {
        h = nlohmann::json::parse(header);
    } catch (const nlohmann::json::exception& e) {
        throw SpecError(path + ": corrupt bundle header: " + e.what());
    }
    Bundle bundle;
    try {
        bundle.kind = h.at("kind").get<std::string>();
        bundle.config = h.value("config", nlohmann::json::object());
        const std::streamoff dataStart = in.tellg();
        for (const auto& t : h.at("tensors")) {
            BundleTensor tensor;
            const std::string name = t.at("name").get<std::string>();
            const std::string dtype = t.at("dtype").get<std::string>();
            tensor.shape = t.at("shape").get<std::vector<int64_t>>();
            for (int64_t s : tensor.shape)
                if (s < 0)
                    throw SpecError(path + ": tensor \"" + name + "\" has a negative dimension");
            const uint64_t offset = t.at("offset").get<uint64_t>();
            const size_t n = tensor.numel();
            const size_t itemSize = dtype == "float64" ? 8 : dtype == "float32" ? 4 : 0;
            if (itemSize == 0)
                throw SpecError(path + ": tensor \"" + name + "\" has unsupported dtype \"" + dtype + "\"");
            in.seekg(dataStart + static_cast<std::streamoff>(offset));
            std::vector<char> raw(n * itemSize);
            if (!in.read(raw.data(), raw.size()))
                throw SpecError(path + ": truncated bundle (data of tensor \"" + name + "\")");
            tensor.values.resize(n);
            for (size_t i = 0; i < n; ++i) {
                if (itemSize == 8) {
                    double v;
                    std::memcpy(&v, raw.data() + 8 * i, 8);
                    tensor.values[i] = v;
                } else {
                    float v;
                    std::memcpy(&v, raw.data() + 4 * i, 4);
                    tensor.values[i] = v;
                }
            }
            bundle.tensors.emplace(name, std::move(tensor));
        }
    } catch (const nlohmann::json::exception& e) {
        throw SpecError(path + ": corrupt bundle header: " + e.what());
    }
    return bundle;
}

void Bundle::write(const std::string& path) const {
    nlohmann::json h = {{"kind", kind}, {"config", config}, {"tensors", nlohmann::json::array()}};
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (tensor.values.size() != tensor.numel())
            throw SpecError("bundle tensor \"" + name + "\": shape does not match its number of values");
        h["tensors"].push_back({{"name", name}, {"dtype", "float64"}, {"shape", tensor.shape}, {"offset", offset},
                                {"nbytes", 8 * tensor.values.size()}});
        offset += 8 * tensor.values.size();
    }
    const std::string header = h.dump();
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw SpecError(path + ": cannot write bundle");
        out.write(kMagic, 8);
        const uint32_t version = formatVersion;
        const uint64_t length = header.size();
        out.write(reinterpret_cast<const char*>(&version), 4);
        out.write(reinterpret_cast<const char*>(&length), 8);
        out.write(header.data(), header.size());
        for (const auto& entry : tensors)
            out.write(reinterpret_cast<const char*>(entry.second.values.data()), 8 * entry.second.values.size());
        if (!out)
            throw SpecError(path + ": write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw SpecError(path + ": cannot move the written bundle into place");
}

const BundleTensor& Bundle::tensor(const std::string& name, const std::string& where) const {
    auto it = tensors.find(name);
    if (it == tensors.end())
        throw SpecError(where + ": the bundle has no tensor \"" + name + "\"");
    return it->second;
}

}  // namespace ada
