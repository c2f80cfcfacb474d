/*
 * test_seal.c: the Merkle tree of seals: every leaf's path, folded the way
 * a verifier does (each step hashes the pair sorted in byte order), gives
 * back the root, for trees of 1 to 17 leaves; a changed leaf or sibling
 * does not.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/sha.h>

#include "sae/seal.h"

/* Independent of seal.c on purpose: what sae-verify and the README do. */
static void
fold(const unsigned char leaf[32], const unsigned char (*path)[32],
    size_t n, unsigned char out[32])
{
	unsigned char pair[64];
	size_t i;

	memcpy(out, leaf, 32);
	for (i = 0; i < n; i++) {
		int lo = memcmp(out, path[i], 32) <= 0;

		memcpy(pair, lo ? out : path[i], 32);
		memcpy(pair + 32, lo ? path[i] : out, 32);
		SHA256(pair, sizeof(pair), out);
	}
}

static void
make_leaves(unsigned char (*leaves)[32], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char s[32];

		snprintf(s, sizeof(s), "leaf %zu", i);
		SHA256((const unsigned char *)s, strlen(s), leaves[i]);
	}
}

static void
test_seal__path_gives_root_for_every_leaf(void **state)
{
	unsigned char leaves[17][32], root[32], path[SEAL_PATH_MAX][32];
	unsigned char got[32];
	size_t n, i, np, depth;

	(void)state;
	for (n = 1; n <= 17; n++) {
		make_leaves(leaves, n);
		seal_merkle_root((const unsigned char (*)[32])leaves, n, root);
		for (depth = 0; ((size_t)1 << depth) < n; depth++)
			;
		for (i = 0; i < n; i++) {
			np = seal_merkle_path(
			    (const unsigned char (*)[32])leaves, n, i, path);
			assert_true(np <= depth);
			fold(leaves[i], (const unsigned char (*)[32])path, np,
			    got);
			assert_memory_equal(got, root, 32);
		}
	}
}

static void
test_seal__one_leaf_is_its_own_root(void **state)
{
	unsigned char leaf[1][32], root[32], path[SEAL_PATH_MAX][32];

	(void)state;
	make_leaves(leaf, 1);
	seal_merkle_root((const unsigned char (*)[32])leaf, 1, root);
	assert_memory_equal(root, leaf[0], 32);
	assert_int_equal(seal_merkle_path((const unsigned char (*)[32])leaf,
	    1, 0, path), 0);
}

static void
test_seal__changed_leaf_or_sibling_fails(void **state)
{
	unsigned char leaves[11][32], root[32], path[SEAL_PATH_MAX][32];
	unsigned char got[32], bad[32];
	size_t np, i;

	(void)state;
	make_leaves(leaves, 11);
	seal_merkle_root((const unsigned char (*)[32])leaves, 11, root);
	for (i = 0; i < 11; i++) {
		np = seal_merkle_path((const unsigned char (*)[32])leaves, 11,
		    i, path);
		assert_true(np > 0);
		memcpy(bad, leaves[i], 32);
		bad[7] ^= 1;
		fold(bad, (const unsigned char (*)[32])path, np, got);
		assert_memory_not_equal(got, root, 32);
		path[np - 1][0] ^= 0x80;
		fold(leaves[i], (const unsigned char (*)[32])path, np, got);
		assert_memory_not_equal(got, root, 32);
	}
}

static void
test_seal__root_is_sorted_pair_hash(void **state)
{
	unsigned char leaves[2][32], root[32], pair[64], want[32];

	(void)state;
	/* The RFC 4998 rule, written out for two leaves, either order. */
	make_leaves(leaves, 2);
	if (memcmp(leaves[0], leaves[1], 32) < 0) {
		memcpy(pair, leaves[0], 32);
		memcpy(pair + 32, leaves[1], 32);
	} else {
		memcpy(pair, leaves[1], 32);
		memcpy(pair + 32, leaves[0], 32);
	}
	SHA256(pair, 64, want);
	seal_merkle_root((const unsigned char (*)[32])leaves, 2, root);
	assert_memory_equal(root, want, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal__path_gives_root_for_every_leaf),
		cmocka_unit_test(test_seal__one_leaf_is_its_own_root),
		cmocka_unit_test(test_seal__changed_leaf_or_sibling_fails),
		cmocka_unit_test(test_seal__root_is_sorted_pair_hash),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
