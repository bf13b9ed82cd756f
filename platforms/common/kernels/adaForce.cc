/**
 * ADAForce device code, in OpenMM's common compute language (compiled by both the OpenCL and the CUDA
 * platform). Only the NUM_BIAS_ATOMS atoms the bias touches are moved; slot a of the small arrays is bias
 * atom a, which currently sits in array slot atomSlot[a] of OpenMM's per-atom arrays.
 *
 *   gatherBiasPositions: biasPositions[3a+k] = posq[atomSlot[a]].k (+ posqCorrection[atomSlot[a]].k in mixed
 *                        precision, where the position is the sum of a float and its float remainder).
 *   addBiasForces:       forceBuffer[atomSlot[a] + k*PADDED_NUM_ATOMS] += round-toward-zero(F[3a+k] * 2^32),
 *                        OpenMM's 64-bit fixed-point force accumulator (x block, then y, then z). Atomic, since
 *                        another queue (PME) may be adding to the same buffer at the same time.
 */

KERNEL void gatherBiasPositions(int numBiasAtoms, GLOBAL const int* RESTRICT atomSlot,
        GLOBAL const real4* RESTRICT posq,
#ifdef USE_MIXED_PRECISION
        GLOBAL const real4* RESTRICT posqCorrection,
#endif
        GLOBAL mixed* RESTRICT biasPositions) {
    for (int a = GLOBAL_ID; a < numBiasAtoms; a += GLOBAL_SIZE) {
        const int slot = atomSlot[a];
        const real4 pos = posq[slot];
#ifdef USE_MIXED_PRECISION
        const real4 remainder = posqCorrection[slot];
        biasPositions[3*a] = pos.x + (mixed) remainder.x;
        biasPositions[3*a+1] = pos.y + (mixed) remainder.y;
        biasPositions[3*a+2] = pos.z + (mixed) remainder.z;
#else
        biasPositions[3*a] = pos.x;
        biasPositions[3*a+1] = pos.y;
        biasPositions[3*a+2] = pos.z;
#endif
    }
}

KERNEL void addBiasForces(int numBiasAtoms, GLOBAL const int* RESTRICT atomSlot,
        GLOBAL const mixed* RESTRICT biasForces, GLOBAL mm_ulong* RESTRICT forceBuffer) {
    for (int a = GLOBAL_ID; a < numBiasAtoms; a += GLOBAL_SIZE) {
        const int slot = atomSlot[a];
        for (int k = 0; k < 3; k++) {
            const mm_long fixedPoint = (mm_long) (biasForces[3*a+k] * (mixed) 0x100000000);
            ATOMIC_ADD(&forceBuffer[slot + k*PADDED_NUM_ATOMS], (mm_ulong) fixedPoint);
        }
    }
}
