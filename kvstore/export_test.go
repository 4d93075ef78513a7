package kvstore

// RevocationCacheLen returns how many answers r's cache holds.
func RevocationCacheLen(r *Revocations) int {
	if r.cache == nil {
		return 0
	}
	return r.cache.len()
}
