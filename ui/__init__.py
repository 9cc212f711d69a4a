"""The analysts' console (Streamlit). Entry point: `streamlit run ui/app.py`."""
