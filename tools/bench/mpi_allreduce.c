/* MPI_Allreduce(MPI_SUM, float) timed the way `ds-bench allreduce` times dsflow's ring
 * allreduce, so that tools/bench/allreduce_vs_mpi.sh can put the two side by side: float32
 * buffers of 4 KiB .. 64 MiB (x4), one warm-up call, then REPEATS timed calls (4x as many
 * below 1 MiB), no barrier between calls, rank 0's median reported.
 *
 * usage: mpirun -np N mpi_allreduce [REPEATS] [MAX_BYTES]
 * output (rank 0), one line per size: "mpi RANKS BYTES SECONDS ALGBW_GBPS BUSBW_GBPS"
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare_doubles(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* The median as ds-bench computes it (bench_stats.hpp): the mean of the two middle values
 * when the count is even. */
static double median(double* values, int count) {
  qsort(values, (size_t)count, sizeof *values, compare_doubles);
  return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, world = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  const int repeats = argc > 1 ? atoi(argv[1]) : 11;
  const size_t max_bytes = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : (size_t)64 << 20;
  if (repeats < 1) {
    if (rank == 0)
      fprintf(stderr, "mpi_allreduce: REPEATS must be at least 1, got '%s'\n", argv[1]);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  float* data = malloc(max_bytes);
  double* times = malloc(sizeof(double) * 4 * (size_t)repeats);
  if (data == NULL || times == NULL) {
    fprintf(stderr, "mpi_allreduce: rank %d: out of memory for %zu bytes\n", rank, max_bytes);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  for (size_t bytes = 4096; bytes <= max_bytes; bytes *= 4) {
    const int count = (int)(bytes / sizeof(float));
    const int timed = bytes < ((size_t)1 << 20) ? 4 * repeats : repeats;
    for (int i = 0; i < count; ++i)
      data[i] = 1.0f;
    for (int i = 0; i <= timed; ++i) {
      double start = MPI_Wtime();
      /* In place, as dsflow's allreduce_sum sums the caller's buffer in place. */
      int code = MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      if (code != MPI_SUCCESS) {
        fprintf(stderr, "mpi_allreduce: rank %d: MPI_Allreduce of %zu bytes failed (%d)\n", rank,
                bytes, code);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
      if (i > 0)
        times[i - 1] = MPI_Wtime() - start;
    }
    if (rank == 0) {
      double seconds = median(times, timed);
      double algbw = (double)bytes / seconds / 1e9;
      printf("mpi %d %zu %.9f %.4f %.4f\n", world, bytes, seconds, algbw,
             algbw * 2.0 * (world - 1) / world);
      fflush(stdout);
    }
  }
  free(times);
  free(data);
  MPI_Finalize();
  return 0;
}
