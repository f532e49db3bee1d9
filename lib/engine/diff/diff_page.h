/*
 * diff_page.h - the HTML report page of reconcile (layer 5: engines, with diff.h).
 * The page is diff_page_head, then a JSON document (with every '<' written
 * as \u003c), then diff_page_tail.  Static text: nothing to free.
 */
#ifndef ERPIPE_DIFF_PAGE_H
#define ERPIPE_DIFF_PAGE_H

extern const char diff_page_head[];
extern const char diff_page_tail[];

#endif
