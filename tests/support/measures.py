"""The scorecard's measures of each dataset: one model each, reading only the dataset's fact
(the Pracharath bodies' two datasets share one), so a night rebuilds the measures of the datasets
that got files and no others."""

MEASURES_OF = {
    "activities": "int_scorecard_activity_measures",
    "otop_sales": "int_scorecard_otop_measures",
    "knn_plot_progress": "int_scorecard_plot_measures",
    "budget_disbursement": "int_scorecard_budget_measures",
    "bmn_households": "int_bmn_households_by_quarter",
    "knn_activities": "int_scorecard_knn_activity_measures",
    "smart_tambon": "int_scorecard_smart_tambon_measures",
    "pracharath_meetings": "int_scorecard_pracharath_measures",
    "pracharath_projects": "int_scorecard_pracharath_measures",
    "otop_ratings": "int_scorecard_otop_rating_measures",
}
