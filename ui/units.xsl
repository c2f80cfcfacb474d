<?xml version="1.0" encoding="UTF-8"?>
<!-- units.xsl: being written. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>
  <xsl:template match="*" mode="title">units</xsl:template>
  <xsl:template match="*" mode="main"/>
</xsl:stylesheet>
