#include "ada/io/Dcd.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "ada/io/ByteOrder.h"
#include "ada/io/SpecError.h"
#include "ada/io/StagedFile.h"

namespace ada {

namespace {

constexpr double kAngstromPerNm = 10.0;
constexpr double kAkmaTimePs = 0.04888821;  // the AKMA time unit in which DCD stores the time step
constexpr double kDegrees = 180.0 / M_PI;

class RecordReader {
public:
    RecordReader(std::ifstream& in, const std::string& path, bool swap) : in_(in), path_(path), swap_(swap) {}

    // One record of exactly `length` bytes (or any length if length < 0), its payload in `out`.
    void read(std::vector<unsigned char>& out, int64_t length, const std::string& what) {
        const int64_t head = marker(what);
        if (length >= 0 && head != length)
            throw SpecError(path_ + ": corrupt DCD file (" + what + ": record length " + std::to_string(head) + ", expected " +
                            std::to_string(length) + ")");
        out.resize(static_cast<size_t>(head));
        if (head > 0 && !in_.read(reinterpret_cast<char*>(out.data()), head))
            throw SpecError(path_ + ": truncated DCD file (inside the " + what + ")");
        const int64_t tail = marker(what);
        if (tail != head)
            throw SpecError(path_ + ": corrupt DCD file (" + what + ": record markers " + std::to_string(head) + " and " +
                            std::to_string(tail) + " differ)");
    }
    int32_t int32(const unsigned char* p) const { return loadBytes<int32_t>(p, swap_); }
    float float32(const unsigned char* p) const { return loadBytes<float>(p, swap_); }
    double float64(const unsigned char* p) const { return loadBytes<double>(p, swap_); }

private:
    int64_t marker(const std::string& what) {
        unsigned char b[4];
        if (!in_.read(reinterpret_cast<char*>(b), 4))
            throw SpecError(path_ + ": truncated DCD file (at the " + what + ")");
        return int32(b);
    }

    std::ifstream& in_;
    const std::string& path_;
    bool swap_;
};

// Cell angles are cosines (CHARMM >= c34, NAMD, OpenMM, mdtraj) unless some value is outside [-1, 1]: then
// they are degrees (older CHARMM).
DcdUnitCell cellFrom(const double v[6]) {
    DcdUnitCell cell;
    cell.a = v[0] / kAngstromPerNm;
    cell.b = v[2] / kAngstromPerNm;
    cell.c = v[5] / kAngstromPerNm;
    const bool cosines = std::abs(v[1]) <= 1 && std::abs(v[3]) <= 1 && std::abs(v[4]) <= 1;
    cell.gamma = cosines ? std::acos(v[1]) * kDegrees : v[1];
    cell.beta = cosines ? std::acos(v[3]) * kDegrees : v[3];
    cell.alpha = cosines ? std::acos(v[4]) * kDegrees : v[4];
    return cell;
}

// The cosine of an angle in degrees as OpenMM and VMD's molfile write it, sin(pi/2 - angle), and exactly 0 for
// a right angle, so rectangular cells are stored bit for bit as those writers store them.
double cosine(double degrees) { return degrees == 90.0 ? 0.0 : std::sin(M_PI / 2 - degrees / kDegrees); }

}  // namespace

DcdTrajectory readDcd(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        throw SpecError(path + ": cannot open DCD file (missing or unreadable)");
    const int64_t fileSize = static_cast<int64_t>(in.tellg());
    in.seekg(0);
    unsigned char start[12];
    if (!in.read(reinterpret_cast<char*>(start), 12))
        throw SpecError(path + ": not a DCD file (shorter than its first record)");
    if (std::memcmp(start + 8, "CORD", 4) == 0)
        throw SpecError(path + ": DCD files with 64-bit record markers are not supported (expected 32-bit markers)");
    bool swap;
    if (loadBytes<uint32_t>(start, false) == 84)
        swap = false;
    else if (loadBytes<uint32_t>(start, true) == 84)
        swap = true;
    else
        throw SpecError(path + ": not a DCD file (the first record marker is not 84 in either byte order)");
    in.seekg(0);
    RecordReader records(in, path, swap);

    std::vector<unsigned char> r;
    records.read(r, 84, "header");
    if (std::memcmp(r.data(), "CORD", 4) != 0)
        throw SpecError(path + ": not a DCD coordinate file (the header starts with '" + std::string(r.begin(), r.begin() + 4) +
                        "', expected 'CORD')");
    int32_t icntrl[20];
    for (int k = 0; k < 20; ++k)
        icntrl[k] = records.int32(r.data() + 4 + 4 * k);
    const bool charmm = icntrl[19] != 0;
    DcdTrajectory t;
    const int64_t declaredFrames = icntrl[0];
    t.firstStep = icntrl[1];
    t.interval = icntrl[2];
    // X-PLOR files (version 0) store DELTA as a float64 over icntrl[9..10] and have no unit cell.
    t.timestep = (charmm ? records.float32(r.data() + 4 + 36) : records.float64(r.data() + 4 + 36)) * kAkmaTimePs;
    const bool hasCell = charmm && icntrl[10] != 0;
    if (icntrl[8] != 0)
        throw SpecError(path + ": DCD files with fixed atoms (NAMNF = " + std::to_string(icntrl[8]) + ") are not supported");
    if (charmm && icntrl[11] != 0)
        throw SpecError(path + ": DCD files with 4-D coordinates are not supported");

    records.read(r, -1, "title");
    if (r.size() < 4)
        throw SpecError(path + ": corrupt DCD file (title record of " + std::to_string(r.size()) + " bytes)");
    const int32_t lines = records.int32(r.data());
    if (lines < 0 || 4 + 80 * static_cast<int64_t>(lines) != static_cast<int64_t>(r.size()))
        throw SpecError(path + ": corrupt DCD file (title record declares " + std::to_string(lines) + " lines in " +
                        std::to_string(r.size()) + " bytes)");
    for (int32_t k = 0; k < lines; ++k) {
        std::string line(r.begin() + 4 + 80 * k, r.begin() + 4 + 80 * (k + 1));
        line = line.substr(0, line.find('\0'));  // writers pad with NUL (and leave what follows undefined) or spaces
        const size_t end = line.find_last_not_of(' ');
        line = end == std::string::npos ? "" : line.substr(0, end + 1);
        t.title += (k ? "\n" : "") + line;
    }

    records.read(r, 4, "number of atoms");
    t.numAtoms = records.int32(r.data());
    if (t.numAtoms <= 0 || t.numAtoms > std::numeric_limits<int32_t>::max() / 4)
        throw SpecError(path + ": corrupt DCD file (number of atoms " + std::to_string(t.numAtoms) + ")");

    const int64_t headerEnd = static_cast<int64_t>(in.tellg());
    const int64_t coordinateRecord = 4 * t.numAtoms;
    const int64_t frameBytes = (hasCell ? 56 : 0) + 3 * (8 + coordinateRecord);
    const int64_t complete = (fileSize - headerEnd) / frameBytes;
    const int64_t partial = (fileSize - headerEnd) % frameBytes;
    if (partial != 0)
        throw SpecError(path + ": truncated DCD file (after " + std::to_string(complete) + " complete frames, the last frame has " +
                        std::to_string(partial) + " of its " + std::to_string(frameBytes) + " bytes)");
    if (declaredFrames > complete)
        throw SpecError(path + ": truncated DCD file (the header declares " + std::to_string(declaredFrames) + " frames, the file holds " +
                        std::to_string(complete) + ")");

    t.positions.resize(static_cast<size_t>(complete * t.numAtoms * 3));
    if (hasCell)
        t.cells.resize(static_cast<size_t>(complete));
    for (int64_t f = 0; f < complete; ++f) {
        const std::string frame = "frame " + std::to_string(f);
        if (hasCell) {
            records.read(r, 48, frame + " unit cell");
            double v[6];
            for (int k = 0; k < 6; ++k)
                v[k] = records.float64(r.data() + 8 * k);
            t.cells[static_cast<size_t>(f)] = cellFrom(v);
        }
        double* x = t.positions.data() + f * t.numAtoms * 3;
        for (int axis = 0; axis < 3; ++axis) {
            records.read(r, coordinateRecord, frame + " " + std::string(1, "XYZ"[axis]) + " coordinates");
            for (int64_t i = 0; i < t.numAtoms; ++i)
                x[3 * i + axis] = records.float32(r.data() + 4 * i) / kAngstromPerNm;
        }
    }
    return t;
}

void writeDcd(const std::string& path, const DcdTrajectory& t) {
    if (!hostIsLittleEndian())
        throw SpecError(path + ": writing DCD files is implemented for little-endian hosts only");
    if (t.numAtoms <= 0 || t.numAtoms > std::numeric_limits<int32_t>::max() / 4)
        throw SpecError(path + ": cannot write a DCD file of " + std::to_string(t.numAtoms) + " atoms");
    if (t.positions.size() % static_cast<size_t>(3 * t.numAtoms) != 0)
        throw SpecError(path + ": cannot write " + std::to_string(t.positions.size()) + " coordinates as frames of " +
                        std::to_string(t.numAtoms) + " atoms");
    const int64_t frames = t.numFrames();
    if (!t.cells.empty() && static_cast<int64_t>(t.cells.size()) != frames)
        throw SpecError(path + ": " + std::to_string(t.cells.size()) + " unit cells for " + std::to_string(frames) + " frames");
    const int64_t lastStep = t.firstStep + (frames > 0 ? frames - 1 : 0) * t.interval;
    if (frames > std::numeric_limits<int32_t>::max() || t.firstStep < std::numeric_limits<int32_t>::min() ||
        lastStep > std::numeric_limits<int32_t>::max() || t.interval < 0 || t.interval > std::numeric_limits<int32_t>::max())
        throw SpecError(path + ": frame count or step numbers do not fit the 32-bit fields of a DCD header");

    std::vector<unsigned char> bytes;
    auto put32 = [&](int32_t v) {
        unsigned char b[4];
        std::memcpy(b, &v, 4);
        bytes.insert(bytes.end(), b, b + 4);
    };
    auto putFloat = [&](float v) {
        unsigned char b[4];
        std::memcpy(b, &v, 4);
        bytes.insert(bytes.end(), b, b + 4);
    };
    put32(84);
    bytes.insert(bytes.end(), {'C', 'O', 'R', 'D'});
    int32_t icntrl[20] = {};
    icntrl[0] = static_cast<int32_t>(frames);
    icntrl[1] = static_cast<int32_t>(t.firstStep);
    icntrl[2] = static_cast<int32_t>(t.interval);
    icntrl[3] = static_cast<int32_t>(lastStep);
    icntrl[10] = t.cells.empty() ? 0 : 1;
    icntrl[19] = 24;
    for (int k = 0; k < 20; ++k) {
        if (k == 9)
            putFloat(static_cast<float>(t.timestep / kAkmaTimePs));
        else
            put32(icntrl[k]);
    }
    put32(84);
    std::vector<std::string> lines;
    std::string title = t.title.empty() ? "Created by openmm-ada" : t.title;
    for (size_t start = 0; start <= title.size();) {
        const size_t end = std::min(title.find('\n', start), title.size());
        for (size_t p = start; p < end || p == start; p += 80)
            lines.push_back(title.substr(p, std::min<size_t>(80, end - p)));
        start = end + 1;
    }
    put32(static_cast<int32_t>(4 + 80 * lines.size()));
    put32(static_cast<int32_t>(lines.size()));
    for (const std::string& line : lines) {
        bytes.insert(bytes.end(), line.begin(), line.end());
        bytes.insert(bytes.end(), 80 - line.size(), '\0');  // OpenMM pads titles with NUL
    }
    put32(static_cast<int32_t>(4 + 80 * lines.size()));
    put32(4);
    put32(static_cast<int32_t>(t.numAtoms));
    put32(4);

    StagedFile file(path);
    file.write(bytes.data(), bytes.size());
    std::vector<float> axis(static_cast<size_t>(t.numAtoms));
    const int32_t coordinateRecord = static_cast<int32_t>(4 * t.numAtoms);
    for (int64_t f = 0; f < frames; ++f) {
        if (!t.cells.empty()) {
            const DcdUnitCell& c = t.cells[static_cast<size_t>(f)];
            const double v[6] = {c.a * kAngstromPerNm, cosine(c.gamma), c.b * kAngstromPerNm, cosine(c.beta), cosine(c.alpha),
                                 c.c * kAngstromPerNm};
            const int32_t length = 48;
            file.write(&length, 4);
            file.write(v, 48);
            file.write(&length, 4);
        }
        const double* x = t.positions.data() + f * t.numAtoms * 3;
        for (int a = 0; a < 3; ++a) {
            for (int64_t i = 0; i < t.numAtoms; ++i)
                axis[static_cast<size_t>(i)] = static_cast<float>(x[3 * i + a] * kAngstromPerNm);
            file.write(&coordinateRecord, 4);
            file.write(axis.data(), axis.size() * 4);
            file.write(&coordinateRecord, 4);
        }
    }
    file.commit();
}

}  // namespace ada
