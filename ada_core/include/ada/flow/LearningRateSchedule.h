#pragma once
// Linear warm-up followed by cosine decay (Loshchilov & Hutter, SGDR, 2017), as a pure function of the step:
//   lr(s) = peak · (s + 1)/W                                             for s < W,
//   lr(s) = final + (peak − final) · ½ (1 + cos(π · min(1, (s − W)/(T − W))))   otherwise,
// with s the index of the step about to be taken (0-based), W warm-up steps, T total steps and
// final = peak · finalFraction. A function of s alone, so a resumed run follows the same schedule.
#include <cstdint>

namespace ada {

struct WarmupCosineSchedule {
    double peak = 1e-3;
    int64_t warmupSteps = 0;
    int64_t totalSteps = 1;
    double finalFraction = 0.0;

    double operator()(int64_t step) const;
};

}  // namespace ada
