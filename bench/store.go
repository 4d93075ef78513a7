package bench

// StoreCases returns the cookie-store comparison, gorilla/sessions
// CookieStore against crumb's cookiestore, or a note saying why there
// is none.
func StoreCases(k *Keys) ([]Case, string, error) {
	return nil, "Cookie-store comparison (gorilla/sessions vs crumb cookiestore): not measured yet.", nil
}
